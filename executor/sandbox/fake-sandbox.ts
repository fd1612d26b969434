// A Sandbox for unit tests of the executor: records every spec and lets the test decide what
// "running" does (write output, touch the rootfs, return an exit code) without namespaces or root.
import { TsbuildError } from '../../lib/errors.js';
import type { RunResult, RunSpec, Sandbox, Stdio } from './types.js';

/** What a test's callback may return: a full result, just an exit code, or nothing (exit 0). */
export type FakeOutcome = RunResult | number | void;

export type FakeRunCallback = (spec: RunSpec, io: Stdio, signal?: AbortSignal) => FakeOutcome | Promise<FakeOutcome>;

export class FakeSandbox implements Sandbox {
  /** Every spec passed to `run`, in call order, deep-copied so later mutation by the caller cannot hide a bug. */
  readonly runs: RunSpec[] = [];

  constructor(private readonly callback: FakeRunCallback = () => 0) {}

  async run(spec: RunSpec, io: Stdio, signal?: AbortSignal): Promise<RunResult> {
    // Behave like the real sandbox: an already-aborted run never starts.
    if (signal?.aborted) throw new TsbuildError('E_ABORTED', 'the sandbox run was aborted');
    this.runs.push(structuredClone(spec) as RunSpec);
    const outcome = await this.callback(spec, io, signal);
    if (signal?.aborted) throw new TsbuildError('E_ABORTED', 'the sandbox run was aborted');
    return toResult(outcome);
  }

  /** The last recorded spec; throws when nothing ran, which is what a test wants to hear. */
  get lastRun(): RunSpec {
    const last = this.runs.at(-1);
    if (!last) throw new Error('FakeSandbox: no run was recorded');
    return last;
  }
}

function toResult(outcome: FakeOutcome): RunResult {
  if (outcome === undefined) return { exitCode: 0 };
  if (typeof outcome === 'number') return { exitCode: outcome };
  return outcome;
}
