import { expect } from 'chai';
import { scratchState, stateAfter } from './dispatch-line.js';

describe('ENTRYPOINT step', () => {
  const inherited = () => scratchState({ Cmd: ['sh'] });
  const cases: [string, string[] | undefined, string[] | undefined, string][] = [
    ['ENTRYPOINT ["e"]', ['e'], undefined, 'ENTRYPOINT ["e"]'],
    ['ENTRYPOINT e f', ['/bin/sh', '-c', 'e f'], undefined, 'ENTRYPOINT ["/bin/sh" "-c" "e f"]'],
    ['CMD ["c"]\nENTRYPOINT ["e"]', ['e'], ['c'], 'ENTRYPOINT ["e"]'],
    ['ENTRYPOINT []', undefined, undefined, 'ENTRYPOINT []'],
    ['SHELL ["/bin/ash", "-c"]\nENTRYPOINT run', ['/bin/ash', '-c', 'run'], undefined, 'ENTRYPOINT ["/bin/ash" "-c" "run"]'],
  ];
  for (const [lines, entrypoint, cmd, createdBy] of cases) {
    it(`${JSON.stringify(lines)} over an inherited CMD`, () => {
      const state = stateAfter(lines, inherited());
      expect(state.config.Entrypoint).to.deep.equal(entrypoint);
      expect(state.config.Cmd).to.deep.equal(cmd);
      expect(state.history[state.history.length - 1]!.created_by).to.equal(createdBy);
    });
  }
  it('a CMD after the ENTRYPOINT is kept', () => {
    expect(stateAfter('ENTRYPOINT ["e"]\nCMD ["c"]', inherited()).config.Cmd).to.deep.equal(['c']);
  });
});
