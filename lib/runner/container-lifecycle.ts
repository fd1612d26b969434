// `stop`, `start` and `restart` from any process: the container's runner (the CLI of a foreground
// run, or a detached monitor) owns its state; these commands signal the container's process and
// watch the state change, or start a new monitor for a stopped container (same upper folder, so
// its files are kept, as with `docker start`).
import { setTimeout as sleep } from 'node:timers/promises';
import { TsbuildError } from '../errors.js';
import { isRunning } from './container-admin.js';
import { signalProcess } from './container-process.js';
import type { ContainerRecord } from './container-store.js';
import { startDetached } from './detached.js';
import { normalizeSignal } from './launch-config.js';
import type { Runtime } from './run-container.js';

export interface StopOptions {
  /** Seconds to wait after the stop signal before SIGKILL; the container's --stop-timeout (10) by default. */
  readonly timeoutSeconds?: number;
  /** Overrides the image's STOPSIGNAL / --stop-signal. */
  readonly signal?: string;
}

/** Polls until the container no longer runs (or is removed, --rm); false when `ms` passed first. */
async function waitStopped(runtime: Runtime, id: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = await runtime.containers.read(id);
    if (now === undefined || !isRunning(now)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
}

/** The container's process, once its runner has found it (a just-started container may not have it yet). */
async function containerPid(runtime: Runtime, id: string): Promise<number> {
  for (let waited = 0; waited < 5000; waited += 50) {
    const record = await runtime.containers.read(id);
    if (record === undefined || !isRunning(record)) return 0;
    if (record.State.Pid > 0) return record.State.Pid;
    await sleep(50);
  }
  return 0;
}

/**
 * Docker's stop: the stop signal to the container's first process, SIGKILL when it still runs
 * after the timeout. Stopping a stopped container does nothing.
 */
export async function stopContainer(runtime: Runtime, record: ContainerRecord, options: StopOptions = {}): Promise<void> {
  if (!isRunning(record)) return;
  const signal = normalizeSignal(options.signal ?? record.Config.stopSignal);
  const timeoutMs = Math.max(0, options.timeoutSeconds ?? record.Config.stopTimeoutSeconds) * 1000;
  const pid = await containerPid(runtime, record.Id);
  // Without a process to signal, the runner is told to stop (it uses the container's own settings).
  if (pid === 0 || !signalProcess(pid, signal)) signalProcess(record.State.MonitorPid, 'SIGTERM');
  if (await waitStopped(runtime, record.Id, timeoutMs)) return;
  const now = await runtime.containers.read(record.Id);
  signalProcess(now !== undefined && now.State.Pid > 0 ? now.State.Pid : record.State.MonitorPid, 'SIGKILL');
  if (!(await waitStopped(runtime, record.Id, 10_000))) {
    throw new TsbuildError('E_STEP', `cannot stop container: ${record.Id}: it did not exit after SIGKILL`);
  }
}

/** Docker's start without -a: runs the container under a new monitor; a running one is left alone. */
export async function startStopped(runtime: Runtime, root: string, record: ContainerRecord): Promise<void> {
  if (isRunning(record)) return;
  await startDetached(root, runtime.containers, record.Id);
  const now = await runtime.containers.read(record.Id);
  if (now !== undefined && !isRunning(now) && now.State.ExitCode === 125 && now.State.Error !== '') {
    throw new TsbuildError('E_STEP', now.State.Error);
  }
}

/** Docker's restart: stop (if running), then start. */
export async function restartContainer(runtime: Runtime, root: string, record: ContainerRecord, options: StopOptions = {}): Promise<void> {
  await stopContainer(runtime, record, options);
  const stopped = await runtime.containers.read(record.Id);
  if (stopped === undefined) throw new TsbuildError('E_NOT_FOUND', `No such container: ${record.Id}`);
  await startStopped(runtime, root, stopped);
}
