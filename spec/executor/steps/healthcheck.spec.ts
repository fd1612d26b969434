import { expect } from 'chai';
import { goQuotedRune } from '../../../executor/dispatch-history.js';
import { stateAfter } from './dispatch-line.js';

describe('HEALTHCHECK step', () => {
  const cases: [string, object, string][] = [
    ['HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD wget -q localhost || exit 1',
      { Test: ['CMD-SHELL', 'wget -q localhost || exit 1'], Interval: 5e9, Timeout: 3e9, Retries: 2 },
      'HEALTHCHECK &{["CMD-SHELL" "wget -q localhost || exit 1"] "5s" "3s" "0s" "0s" \'\\x02\'}'],
    ['HEALTHCHECK NONE', { Test: ['NONE'] }, 'HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" \'\\x00\'}'],
    ['HEALTHCHECK CMD ["/bin/true", "x"]', { Test: ['CMD', '/bin/true', 'x'] }, 'HEALTHCHECK &{["CMD" "/bin/true" "x"] "0s" "0s" "0s" "0s" \'\\x00\'}'],
    ['HEALTHCHECK --start-period=1m30s --start-interval=500ms --retries=65 CMD x', { Test: ['CMD-SHELL', 'x'], StartPeriod: 90e9, StartInterval: 5e8, Retries: 65 },
      'HEALTHCHECK &{["CMD-SHELL" "x"] "0s" "0s" "1m30s" "500ms" \'A\'}'],
  ];
  for (const [line, health, createdBy] of cases) {
    it(line, () => {
      const state = stateAfter(line);
      expect(state.config.Healthcheck).to.deep.equal(health);
      expect(state.history[0]!.created_by).to.equal(createdBy);
    });
  }
  it('quotes retries like Go\'s %q of an int', () => {
    expect([0, 2, 9, 10, 39, 65, 92, 127, 233, 0x2028].map(goQuotedRune)).to.deep.equal(
      ["'\\x00'", "'\\x02'", "'\\t'", "'\\n'", "'\\''", "'A'", "'\\\\'", "'\\x7f'", "'é'", "'\\u2028'"]);
  });
});
