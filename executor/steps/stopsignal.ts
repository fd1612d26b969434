// STOPSIGNAL signal: checked the way Docker's signal.ParseSignal reads it (a number 1-255, or a
// Linux signal name with or without `SIG`, any case), then stored as written.
import { withHistory } from '../dispatch-history.js';
import type { StepHandler } from './types.js';

const REALTIME = [
  'RTMIN', ...Array.from({ length: 15 }, (_, index) => `RTMIN+${index + 1}`),
  ...Array.from({ length: 14 }, (_, index) => `RTMAX-${14 - index}`), 'RTMAX',
];

const SIGNAL_NAMES: ReadonlySet<string> = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL',
  'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1',
  'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ', ...REALTIME,
]);

/** Throws Docker's error for a signal it would not accept. */
export function checkSignal(raw: string): void {
  if (/^[0-9]+$/.test(raw) && Number(raw) <= 255) {
    if (Number(raw) === 0) throw new Error(`Invalid signal: ${raw}`);
    return;
  }
  const name = raw.toUpperCase().replace(/^SIG/, '');
  if (!SIGNAL_NAMES.has(name)) throw new Error(`Invalid signal: ${raw}`);
}

export const stopsignalHandler: StepHandler<'STOPSIGNAL'> = {
  kind: 'STOPSIGNAL',
  apply(state, ins) {
    checkSignal(ins.signal);
    return withHistory({ ...state, config: { ...state.config, StopSignal: ins.signal } }, `STOPSIGNAL ${ins.signal}`, false);
  },
  describe(_state, ins) {
    return { op: { signal: ins.signal } };
  },
};
