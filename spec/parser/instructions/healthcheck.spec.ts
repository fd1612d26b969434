import { expect } from 'chai';
import { healthcheckHistoryText, parseHealthcheck } from '../../../parser/instructions/healthcheck.js';
import { readConformanceJson } from '../../support/conformance.js';
import { itParses, nodeOf, syntheticNode } from './nodes.js';

const SECOND = 1_000_000_000;

describe('HEALTHCHECK', () => {
  itParses(
    [
      { name: 'NONE', text: 'HEALTHCHECK NONE', expected: { kind: 'HEALTHCHECK', test: 'NONE', interval: 0, retries: 0 } },
      { name: 'none in lower case', text: 'HEALTHCHECK none', expected: { test: 'NONE' } },
      { name: 'NONE ignores flags', text: 'HEALTHCHECK --bogus NONE', expected: { test: 'NONE' } },
      { name: 'shell form', text: 'HEALTHCHECK CMD curl -f http://localhost/ || exit 1', expected: { test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } },
      { name: 'exec form', text: 'HEALTHCHECK cmd ["curl", "-f", "http://x/"]', expected: { test: ['CMD', 'curl', '-f', 'http://x/'] } },
      {
        name: 'durations and retries',
        text: 'HEALTHCHECK --interval=30s --timeout=1m30s --start-period=5s --start-interval=100ms --retries=3 CMD true',
        expected: { interval: 30 * SECOND, timeout: 90 * SECOND, startPeriod: 5 * SECOND, startInterval: SECOND / 10, retries: 3 },
      },
      { name: 'zero means default', text: 'HEALTHCHECK --interval=0s --retries=0 CMD true', expected: { interval: 0, retries: 0 } },
      { name: 'exactly 1ms is fine', text: 'HEALTHCHECK --timeout=1ms CMD true', expected: { timeout: 1_000_000 } },
      { name: 'no arguments', text: 'HEALTHCHECK', error: 'HEALTHCHECK requires at least one argument' },
      { name: 'NONE with arguments', text: 'HEALTHCHECK NONE x', error: 'HEALTHCHECK NONE takes no arguments' },
      { name: 'unknown type', text: 'HEALTHCHECK RUN true', error: 'Unknown type "RUN" in HEALTHCHECK (try CMD)' },
      { name: 'CMD without command', text: 'HEALTHCHECK CMD', error: 'Missing command after HEALTHCHECK CMD' },
      { name: 'CMD with empty exec form', text: 'HEALTHCHECK CMD []', error: 'Missing command after HEALTHCHECK CMD' },
      { name: 'below 1ms', text: 'HEALTHCHECK --interval=999us CMD true', error: 'Interval "interval" cannot be less than 1ms' },
      { name: 'negative', text: 'HEALTHCHECK --start-period=-1s CMD true', error: 'Interval "start-period" cannot be less than 1ms' },
      { name: 'not a duration', text: 'HEALTHCHECK --timeout=5 CMD true', error: 'time: missing unit in duration "5"' },
      { name: 'bad retries', text: 'HEALTHCHECK --retries=three CMD true', error: 'strconv.ParseInt: parsing "three": invalid syntax' },
      { name: 'negative retries', text: 'HEALTHCHECK --retries=-1 CMD true', error: '--retries cannot be negative (-1)' },
      { name: 'retries beyond 32 bits', text: 'HEALTHCHECK --retries=2147483648 CMD true', error: 'strconv.ParseInt: parsing "2147483648": value out of range' },
      { name: 'unknown flag', text: 'HEALTHCHECK --intervall=1s CMD true', error: 'unknown flag: --intervall (did you mean interval?)' },
      { name: 'flags are checked before the type', node: syntheticNode({ keyword: 'healthcheck', args: ['FOO'], flags: ['--x'] }), error: 'unknown flag: --x' },
    ],
    parseHealthcheck,
  );

  describe('history text (conformance: convert/cases.json helpers.healthcheckHistory)', () => {
    interface HistoryCase {
      healthcheck: { Test: string[]; Interval: string; Timeout: string; StartPeriod: string; StartInterval: string; Retries: number };
      expectedCreatedBy: string;
    }
    const { cases } = readConformanceJson<{ buildkit: { helpers: { healthcheckHistory: { cases: HistoryCase[] } } } }>('convert', 'cases.json').buildkit
      .helpers.healthcheckHistory;
    for (const testCase of cases) {
      it(testCase.expectedCreatedBy, () => {
        const { Test, Interval, Timeout, StartPeriod, StartInterval, Retries } = testCase.healthcheck;
        const text = `HEALTHCHECK --interval=${Interval} --timeout=${Timeout} --start-period=${StartPeriod} --start-interval=${StartInterval} --retries=${Retries} CMD ${JSON.stringify(Test.slice(1))}`;
        const parsed = parseHealthcheck(nodeOf(text));
        expect(healthcheckHistoryText({ ...parsed, test: Test })).to.equal(testCase.expectedCreatedBy);
      });
    }

    it('NONE', () => {
      expect(healthcheckHistoryText(parseHealthcheck(nodeOf('HEALTHCHECK NONE')))).to.equal(
        'HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}',
      );
    });
  });
});
