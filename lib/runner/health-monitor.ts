// HEALTHCHECK evaluated the way Docker does while a container runs:
// - the first probe runs one interval after the start; while the status is still `starting` inside
//   the start period, the start interval is used instead of the interval;
// - exit 0 is healthy (the failing streak resets); anything else, a timeout or a probe that could
//   not run is a failure, which counts toward `retries` except while `starting` inside the start
//   period; `retries` consecutive failures make the container unhealthy, one success heals it;
// - the last five results are kept, each output cut to 4096 bytes.
// Durations are Docker's nanoseconds; 0 or absent means the default.
import type { HealthConfig } from '../../executor/image-config.js';
import type { HealthResult, HealthState } from './container-store.js';

const SECOND_NS = 1_000_000_000;
export const HEALTH_DEFAULTS = { interval: 30 * SECOND_NS, timeout: 30 * SECOND_NS, startPeriod: 0, startInterval: 5 * SECOND_NS, retries: 3 } as const;
export const MAX_HEALTH_LOG = 5;
export const MAX_HEALTH_OUTPUT = 4096;

export interface ProbeOutcome {
  readonly exitCode: number;
  readonly output: string;
}

/** Thrown by a probe whose container went away meanwhile: no result is recorded (the container stopped). */
export class ProbeSkipped extends Error {}

/** Runs the check once; must settle when `signal` aborts (the timeout). */
export type Probe = (test: readonly string[], signal: AbortSignal) => Promise<ProbeOutcome>;

export interface HealthTimings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startPeriodMs: number;
  readonly startIntervalMs: number;
  readonly retries: number;
}

export function healthTimings(config: HealthConfig): HealthTimings {
  const ms = (value: number | undefined, fallback: number): number => (value && value > 0 ? value : fallback) / 1_000_000;
  return {
    intervalMs: ms(config.Interval, HEALTH_DEFAULTS.interval),
    timeoutMs: ms(config.Timeout, HEALTH_DEFAULTS.timeout),
    startPeriodMs: ms(config.StartPeriod, HEALTH_DEFAULTS.startPeriod),
    startIntervalMs: ms(config.StartInterval, HEALTH_DEFAULTS.startInterval),
    retries: config.Retries && config.Retries > 0 ? config.Retries : HEALTH_DEFAULTS.retries,
  };
}

/** How long Docker prints a timeout ("Health check exceeded timeout (1s)"). */
function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Pure: the next health state after one result. `sinceStartMs` is when the probe started. */
export function nextHealthState(state: HealthState, result: HealthResult, timings: HealthTimings, sinceStartMs: number): HealthState {
  const log = [...state.Log, result].slice(-MAX_HEALTH_LOG);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  if (state.Status === 'starting' && sinceStartMs < timings.startPeriodMs) return { ...state, Log: log };
  const streak = state.FailingStreak + 1;
  return { Status: streak >= timings.retries ? 'unhealthy' : state.Status, FailingStreak: streak, Log: log };
}

export function initialHealth(): HealthState {
  return { Status: 'starting', FailingStreak: 0, Log: [] };
}

export interface HealthMonitorOptions {
  readonly config: HealthConfig;
  readonly probe: Probe;
  /** Called after every result with the new state (the caller saves it and reports transitions). */
  readonly onResult: (state: HealthState, previous: HealthState) => void | Promise<void>;
  readonly now?: () => number;
}

/** Runs probes until stop(); never throws (a probe that fails to run counts as a failed check). */
export class HealthMonitor {
  private state: HealthState = initialHealth();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly running = new AbortController();
  private readonly timings: HealthTimings;
  private readonly startedAt: number;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly options: HealthMonitorOptions) {
    this.timings = healthTimings(options.config);
    this.startedAt = this.now();
  }

  get health(): HealthState {
    return this.state;
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.running.abort();
    await this.current;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private interval(): number {
    const inStartPeriod = this.now() - this.startedAt < this.timings.startPeriodMs;
    return inStartPeriod && this.state.Status === 'starting' ? this.timings.startIntervalMs : this.timings.intervalMs;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.probeOnce().then(() => this.schedule());
    }, this.interval());
  }

  private async probeOnce(): Promise<void> {
    const start = new Date();
    const outcome = await this.runProbe();
    if (this.stopped || outcome === undefined) return;
    const result: HealthResult = { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: outcome.exitCode, Output: outcome.output.slice(0, MAX_HEALTH_OUTPUT) };
    const previous = this.state;
    this.state = nextHealthState(previous, result, this.timings, start.getTime() - this.startedAt);
    await Promise.resolve(this.options.onResult(this.state, previous)).catch(() => undefined);
  }

  private async runProbe(): Promise<ProbeOutcome | undefined> {
    const timeout = AbortSignal.timeout(this.timings.timeoutMs);
    const signal = AbortSignal.any([timeout, this.running.signal]);
    try {
      return await this.options.probe(this.options.config.Test, signal);
    } catch (error) {
      if (error instanceof ProbeSkipped) return undefined;
      if (timeout.aborted) return { exitCode: -1, output: `Health check exceeded timeout (${seconds(this.timings.timeoutMs)})` };
      return { exitCode: -1, output: (error as Error).message };
    }
  }
}
