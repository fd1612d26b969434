// Creating and running containers: `createContainer` decides everything from the image and the
// options and writes the container's state; `startContainer` mounts its filesystem, runs the
// process in the sandbox (the same one RUN steps use), keeps the state current (running, pid,
// health, exit) and cleans up. Exit statuses follow Docker: the process's own, 125 when the
// runner could not start it, 137 when it had to be killed.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { RootLayout } from '../../cache/root.js';
import type { RunSpec, Sandbox } from '../../executor/sandbox/types.js';
import { homeDirectory, resolveUserSpec } from '../../executor/users.js';
import { TsbuildError } from '../errors.js';
import type { ImageStore } from '../store/image-store.js';
import { mountContainer, type MountedContainer } from './container-rootfs.js';
import { openContainerPorts, type ContainerPorts } from './container-ports.js';
import { processAlive, signalProcess, waitForContainerPid } from './container-process.js';
import { ContainerStore, generatedName, initialRunState, newContainerId, type ContainerRecord, type ContainerRunState, type HealthState } from './container-store.js';
import { HealthMonitor } from './health-monitor.js';
import { healthProbe } from './health-probe.js';
import { launchConfig, type RunOptions } from './launch-config.js';

/** Docker's status for "the runner itself failed". */
export const RUNNER_ERROR_STATUS = 125;
const KILLED_STATUS = 137;

export interface Runtime {
  readonly layout: Pick<RootLayout, 'snapshots' | 'tmp' | 'locks' | 'leases' | 'containers'>;
  readonly images: ImageStore;
  readonly containers: ContainerStore;
  readonly sandbox: Sandbox;
}

export interface CreateOptions extends RunOptions {
  readonly name?: string;
  readonly autoRemove?: boolean;
}

/** A new container in state `created`; nothing is mounted yet. */
export async function createContainer(runtime: Runtime, imageRef: string, options: CreateOptions, callerEnv: Readonly<Record<string, string | undefined>> = {}): Promise<ContainerRecord> {
  const image = await runtime.images.resolve(imageRef);
  const id = newContainerId();
  const config = launchConfig(image.config.config ?? {}, options, id.slice(0, 12), callerEnv);
  const name = options.name ?? generatedName(id);
  if (options.name !== undefined) await runtime.containers.checkName(name);
  const record: ContainerRecord = {
    Id: id,
    Name: name,
    Created: new Date().toISOString(),
    Image: image.id,
    ImageRef: imageRef,
    AutoRemove: options.autoRemove === true,
    Config: config,
    State: initialRunState(),
  };
  await mkdir(runtime.containers.dir(id), { recursive: true, mode: 0o700 });
  await runtime.containers.write(record);
  return record;
}

export interface StartIO {
  readonly stdin?: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Called after each health check result. */
  readonly onHealth?: (health: HealthState, previous: HealthState) => void;
}

/** A started container: `exited` resolves to its exit status once everything is cleaned up. */
export interface RunningContainer {
  readonly id: string;
  readonly exited: Promise<number>;
  /** STOPSIGNAL, then SIGKILL after the stop timeout (`timeoutSeconds` overrides the container's). */
  stop(timeoutSeconds?: number): Promise<number>;
}

/** Serialises state writes of one container (pid, health and exit can arrive together). */
class StateWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly containers: ContainerStore, public record: ContainerRecord) {}

  update(change: Partial<ContainerRunState>): Promise<void> {
    this.record = { ...this.record, State: { ...this.record.State, ...change } };
    const snapshot = this.record;
    this.chain = this.chain.then(() => this.containers.write(snapshot)).catch(() => undefined);
    return this.chain;
  }
}

function logTee(target: Writable, log: Writable): Writable {
  const tee = new PassThrough();
  tee.on('data', (chunk: Buffer) => {
    target.write(chunk);
    log.write(chunk);
  });
  return tee;
}

async function runSpec(record: ContainerRecord, rootfs: string): Promise<RunSpec> {
  const config = record.Config;
  const user = await resolveUserSpec(rootfs, config.user);
  const hasHome = config.env.some((entry) => entry.startsWith('HOME='));
  const env = hasHome ? [...config.env] : [...config.env, `HOME=${await homeDirectory(rootfs, user.uid)}`];
  return {
    rootfs,
    args: config.args,
    env,
    cwd: config.cwd,
    uid: user.uid,
    gid: user.gid,
    additionalGids: user.additionalGids,
    hostname: config.hostname,
    network: config.network,
    mounts: config.volumes.map((volume) => ({ type: 'bind', source: volume.source, target: volume.target, readonly: volume.readonly })),
  };
}

/** Runs the container `id` (state `created` or `exited`) until its process ends. */
export async function startContainer(runtime: Runtime, id: string, io: StartIO): Promise<RunningContainer> {
  const record = await runtime.containers.read(id);
  if (record === undefined) throw new TsbuildError('E_NOT_FOUND', `No such container: ${id}`);
  if (record.State.Running && processAlive(record.State.MonitorPid)) throw new TsbuildError('E_USAGE', `container ${id} is already running`);
  const image = await runtime.images.resolve(record.Image);
  const writer = new StateWriter(runtime.containers, record);
  let mounted: MountedContainer | undefined;
  let ports: ContainerPorts | undefined;
  try {
    mounted = await mountContainer(runtime.layout, runtime.images.content, runtime.containers, id, image.layers);
    const spec = await runSpec(record, mounted.rootfs);
    ports = await openContainerPorts(record.Config);
    return launch(runtime, writer, { mounted, ports }, spec, io);
  } catch (error) {
    await ports?.close();
    await mounted?.release();
    await writer.update({ Status: 'exited', ExitCode: RUNNER_ERROR_STATUS, Error: (error as Error).message, FinishedAt: new Date().toISOString() });
    if (record.AutoRemove) await runtime.containers.remove(id);
    throw error;
  }
}

interface Outcome {
  readonly code: number;
  readonly error: string;
}

/** The sandbox's result as Docker reports it: killed by us is 137, a failure of ours 125. */
function outcomeOf(run: Promise<{ exitCode: number }>): Promise<Outcome> {
  return run.then(
    (result) => ({ code: result.exitCode, error: '' }),
    (error: unknown) => (error instanceof TsbuildError && error.code === 'E_ABORTED' ? { code: KILLED_STATUS, error: '' } : { code: RUNNER_ERROR_STATUS, error: (error as Error).message }),
  );
}

/** Once the container's process is found: record its pid and start the health checks. */
async function watchProcess(writer: StateWriter, spec: RunSpec, io: StartIO, ports: ContainerPorts, finished: () => boolean): Promise<{ pid?: number; health?: HealthMonitor }> {
  const config = writer.record.Config;
  const pid = await waitForContainerPid(config.hostname, finished);
  if (pid === undefined || finished()) return {};
  await writer.update({ Pid: pid });
  await ports.attach(pid).catch((error: unknown) => io.stderr.write(`tsbuild: ${(error as Error).message}\n`));
  if (!config.healthcheck) return { pid };
  const health = new HealthMonitor({
    config: config.healthcheck,
    probe: healthProbe(pid, spec),
    onResult: async (state, previous) => {
      await writer.update({ Health: state });
      io.onHealth?.(state, previous);
    },
  });
  if (!finished()) health.start();
  return { pid, health };
}

interface Held {
  readonly mounted: MountedContainer;
  readonly ports: ContainerPorts;
}

function launch(runtime: Runtime, writer: StateWriter, { mounted, ports }: Held, spec: RunSpec, io: StartIO): RunningContainer {
  const config = writer.record.Config;
  const kill = new AbortController();
  const log = createWriteStream(runtime.containers.paths(writer.record.Id).log, { flags: 'a', mode: 0o600 });
  const health = config.healthcheck ? { Health: { Status: 'starting', FailingStreak: 0, Log: [] } as HealthState } : {};
  const started = writer.update({ ...initialRunState(), Status: 'running', Running: true, MonitorPid: process.pid, StartedAt: new Date().toISOString(), Ports: ports.published, ...health });
  let finished = false;
  const stdio = { stdout: logTee(io.stdout, log), stderr: logTee(io.stderr, log), tty: config.tty, ...(io.stdin ? { stdin: io.stdin } : {}) };
  const run = started.then(() => runtime.sandbox.run(spec, stdio, kill.signal));
  const watched = watchProcess(writer, spec, io, ports, () => finished);
  const exited = outcomeOf(run).then(async (outcome) => {
    finished = true;
    await (await watched).health?.stop();
    await ports.close().catch(() => undefined);
    await mounted.release().catch(() => undefined);
    await new Promise<void>((resolve) => log.end(resolve));
    await writer.update({ Status: 'exited', Running: false, Pid: 0, Ports: [], ExitCode: outcome.code, Error: outcome.error, FinishedAt: new Date().toISOString() });
    if (writer.record.AutoRemove) await runtime.containers.remove(writer.record.Id);
    if (outcome.error !== '') io.stderr.write(`tsbuild: ${outcome.error}\n`);
    return outcome.code;
  });
  const stop = async (timeoutSeconds = config.stopTimeoutSeconds): Promise<number> => {
    const target = await Promise.race([watched.then((found) => found.pid), exited.then(() => undefined)]);
    if (target === undefined || !signalProcess(target, config.stopSignal)) kill.abort();
    const timer = setTimeout(() => kill.abort(), Math.max(0, timeoutSeconds) * 1000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return { id: writer.record.Id, exited, stop };
}
