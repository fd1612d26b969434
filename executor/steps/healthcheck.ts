// HEALTHCHECK: replaces the config's check (durations in nanoseconds; zero fields left out, as
// Docker's JSON omits them). `NONE` stores the test ["NONE"], which disables an inherited check.
import type { HealthcheckInstruction } from '../../parser/instructions/healthcheck.js';
import { formatGoDuration } from '../../parser/durations.js';
import { goQuote } from '../../parser/syntax-dump.js';
import { goQuotedList, goQuotedRune, withHistory } from '../dispatch-history.js';
import type { HealthConfig } from '../image-config.js';
import type { StepHandler } from './types.js';

export function healthConfig(ins: HealthcheckInstruction): HealthConfig {
  const optional = (name: keyof HealthConfig, value: number) => (value !== 0 ? { [name]: value } : {});
  return {
    Test: ins.test === 'NONE' ? ['NONE'] : [...ins.test],
    ...optional('Interval', ins.interval),
    ...optional('Timeout', ins.timeout),
    ...optional('StartPeriod', ins.startPeriod),
    ...optional('StartInterval', ins.startInterval),
    ...optional('Retries', ins.retries),
  };
}

/** BuildKit 0.13's text: Go's `%q` of a pointer to the config struct. */
export function healthcheckCreatedBy(ins: HealthcheckInstruction): string {
  const test = ins.test === 'NONE' ? ['NONE'] : ins.test;
  const durations = [ins.interval, ins.timeout, ins.startPeriod, ins.startInterval].map((value) => goQuote(formatGoDuration(value)));
  return `HEALTHCHECK &{${goQuotedList(test)} ${durations.join(' ')} ${goQuotedRune(ins.retries)}}`;
}

export const healthcheckHandler: StepHandler<'HEALTHCHECK'> = {
  kind: 'HEALTHCHECK',
  apply(state, ins) {
    const config = { ...state.config, Healthcheck: healthConfig(ins) };
    return withHistory({ ...state, config }, healthcheckCreatedBy(ins), false);
  },
  describe(_state, ins) {
    const health = healthConfig(ins);
    return { op: { test: [...health.Test], interval: ins.interval, timeout: ins.timeout, startPeriod: ins.startPeriod, startInterval: ins.startInterval, retries: ins.retries } };
  },
};
