// The default Sandbox: Linux namespaces built from util-linux and /bin/sh, no daemon, no native
// code. One run = prepare (validate, resolve mount targets, stubs, staging root, cgroup), run the
// process tree (setup-script.ts), then always clean up: stubs, cgroup and staging root, after
// success, failure or abort alike.
import { readFile, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { TsbuildError } from '../../lib/errors.js';
import { cgroupParents, createRunCgroup, DEFAULT_LIMITS, type RunCgroup, type SandboxLimits } from './cgroup-limits.js';
import { sandboxCommand } from './command-line.js';
import { hostnameFile, hostsFile, resolvConf } from './etc-files.js';
import { type DiskLimits, watchDisk } from './disk-guard.js';
import { detectHostLayout, type HostLayout } from './host-layout.js';
import { HostMountTable, inheritedMountFlags } from './host-mounts.js';
import { detectPrivileges, type Privileges } from './host-privileges.js';
import { findHostTools, type HostTools } from './host-tools.js';
import { devBatch, lateBatch, preBatch, procBatch, type PlanInput } from './mount-plan.js';
import { MountStubs } from './mount-stubs.js';
import { prepareTargets, type PreparedTargets } from './mount-targets.js';
import { runSandboxProcess, type SandboxExit } from './sandbox-process.js';
import { runNamePrefix, sweepStaleRuns } from './stale-runs.js';
import { applyOwners, returnOwners } from './subid-owners.js';
import { createStagingDir, defaultStagingBase, etcSourcePaths, removeStagingDir, writeEtcFiles, writeStaging } from './staging-root.js';
import type { RunResult, RunSpec, Sandbox, Stdio } from './types.js';
import { validateRunSpec } from './validate-spec.js';

export interface NamespaceSandboxOptions {
  /** Per-run resource limits; defaults to DEFAULT_LIMITS (a pids cap). */
  readonly limits?: SandboxLimits;
  /** Folder for the per-run staging roots; defaults to /dev/shm when usable, else the OS temp folder. */
  readonly stagingBase?: string;
  /** The disk quota and free-space reserve of each run (disk-guard.ts); the reserve is on by default. */
  readonly disk?: DiskLimits;
}

interface HostSetup {
  readonly tools: HostTools;
  readonly privileges: Privileges;
  readonly layout: HostLayout;
  readonly stagingBase: string;
  /** Flags of the host mount holding the staging roots, repeated on their binds. */
  readonly stagingFlags: readonly string[];
}

interface Prepared {
  readonly targets: PreparedTargets;
  readonly rootfsFlags: readonly string[];
}

interface RunState {
  readonly spec: RunSpec;
  readonly host: HostSetup;
  readonly stagingDir: string;
  readonly rootName: string;
  readonly stubs: MountStubs;
}

function aborted(): TsbuildError {
  return new TsbuildError('E_ABORTED', 'the sandbox run was aborted');
}

function signalNumber(name: NodeJS.Signals): number {
  return osConstants.signals[name] ?? 0;
}

export class NamespaceSandbox implements Sandbox {
  private readonly limits: SandboxLimits;
  private readonly stagingBase: string | undefined;
  private readonly disk: DiskLimits;
  private hostSetup?: Promise<HostSetup>;

  constructor(options: NamespaceSandboxOptions = {}) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.stagingBase = options.stagingBase;
    this.disk = options.disk ?? {};
  }

  /** Detects tools, privileges and the host layout once; a failure is reported on every run. */
  host(): Promise<HostSetup> {
    this.hostSetup ??= (async () => {
      const tools = await findHostTools();
      const privileges = await detectPrivileges(tools);
      const layout = await detectHostLayout(privileges.kind === 'rootless');
      const stagingBase = this.stagingBase ?? (await defaultStagingBase());
      await sweepStaleRuns(stagingBase, await cgroupParents());
      return { tools, privileges, layout, stagingBase, stagingFlags: await inheritedMountFlags(stagingBase) };
    })();
    return this.hostSetup;
  }

  async run(spec: RunSpec, io: Stdio, signal?: AbortSignal): Promise<RunResult> {
    if (signal?.aborted) throw aborted();
    validateRunSpec(spec);
    const host = await this.host();
    checkIdsAreMapped(spec, host.privileges);
    const info = await stat(spec.rootfs).catch(() => undefined);
    if (!info?.isDirectory()) throw new TsbuildError('E_STEP', `sandbox rootfs ${spec.rootfs} is not a directory`);
    const { dir, rootName } = await createStagingDir(host.stagingBase, runNamePrefix());
    const state: RunState = { spec, host, stagingDir: dir, rootName, stubs: new MountStubs(spec.rootfs) };
    let cgroup: RunCgroup | undefined;
    let outcome: { result: RunResult } | { error: unknown };
    // With subordinate ids the rootfs gets its recorded owners for the run, and gives them back after.
    const subid = host.privileges.kind === 'rootless' && host.privileges.mapping === 'subid';
    let applied: string[] | undefined;
    try {
      const { targets, rootfsFlags } = await this.prepare(state);
      if (subid) applied = await applyOwners(spec.rootfs);
      if (signal?.aborted) throw aborted();
      cgroup = await createRunCgroup(this.limits, runNamePrefix());
      const readonlyRemount = ['remount', 'bind', ...new Set([...rootfsFlags, 'ro', 'nodev'])].join(',');
      const command = sandboxCommand({ ...state, ...host, targets, cgroup, limits: this.limits, readonlyRemount }, io.tty);
      outcome = { result: await this.runWatched(command, spec.rootfs, io, signal) };
    } catch (error) {
      outcome = { error };
    }
    const ownersError = subid ? await returnOwners(spec.rootfs, applied ?? []).then(() => undefined, (error: Error) => error) : undefined;
    const cleanupError = (await cleanUp(state, cgroup)) ?? ownersError;
    if ('error' in outcome) throw outcome.error;
    if (cleanupError) throw cleanupError;
    return outcome.result;
  }

  /** Runs the process under the disk guard; a run the guard stopped fails with the guard's reason. */
  private async runWatched(command: ReturnType<typeof sandboxCommand>, rootfs: string, io: Stdio, signal?: AbortSignal): Promise<RunResult> {
    const guard = await watchDisk(rootfs, this.disk, signal);
    try {
      const exit = await runSandboxProcess(command, io, guard.signal);
      const tripped = guard.tripped();
      if (tripped !== undefined && !signal?.aborted) throw tripped;
      return interpretExit(exit);
    } finally {
      guard.stop();
    }
  }

  /** Everything on disk before the process starts: /etc files, mount stubs, the staging root. */
  private async prepare(state: RunState): Promise<Prepared> {
    const { spec, host, stagingDir, rootName } = state;
    await writeEtcFiles(stagingDir, {
      hosts: hostsFile(spec.hostname, spec.extraHosts),
      resolvConf: resolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''), spec.network),
      hostname: hostnameFile(spec.hostname),
    });
    const targets = await prepareTargets(spec, rootName, state.stubs, etcSourcePaths(stagingDir));
    const mountTable = await HostMountTable.read();
    const rootless = host.privileges.kind === 'rootless';
    const binds = await Promise.all(targets.stagedSources.map(async (source) => ({ ...source, flags: await mountTable.flagsFor(source.source) })));
    const plan: PlanInput = {
      stagingDir,
      stagingFlags: host.stagingFlags,
      rootName,
      rootfs: spec.rootfs,
      rootfsFlags: await mountTable.flagsFor(spec.rootfs),
      layout: host.layout,
      rootless,
      ttyGroupMapped: !rootless || host.privileges.mapping === 'subid',
      binds,
      etcTargets: targets.etcTargets,
    };
    const batches = { pre: preBatch(plan), dev: devBatch(plan), late: lateBatch(plan), proc: procBatch(plan) };
    await writeStaging(stagingDir, { rootName, layout: host.layout, sources: targets.stagedSources, rootless }, batches);
    return { targets, rootfsFlags: plan.rootfsFlags };
  }
}

/** Without /etc/subuid only root exists in the user namespace; say so instead of failing obscurely. */
function checkIdsAreMapped(spec: RunSpec, privileges: Privileges): void {
  if (privileges.kind !== 'rootless' || privileges.mapping !== 'single') return;
  // The primary gid is listed among the groups too (as `id` shows it); only other groups need ranges.
  if (spec.uid !== 0 || spec.gid !== 0 || spec.additionalGids.some((gid) => gid !== spec.gid)) {
    throw new TsbuildError(
      'E_STEP',
      `uid ${spec.uid}, gid ${spec.gid} and extra groups need subordinate ids: add ranges for this user to /etc/subuid and /etc/subgid and install newuidmap (Debian package uidmap)`,
    );
  }
}

function interpretExit(exit: SandboxExit): RunResult {
  if (exit.aborted) throw aborted();
  if (!exit.started) {
    const detail = exit.setupOutput.trim() || `exit status ${exit.code ?? exit.signal}`;
    throw new TsbuildError('E_STEP', `sandbox setup failed: ${detail}`);
  }
  if (exit.signal) return { exitCode: 128 + signalNumber(exit.signal), signal: exit.signal };
  return { exitCode: exit.code ?? 0 };
}

/** Runs every cleanup even if one fails; returns the first failure. */
async function cleanUp(state: RunState, cgroup: RunCgroup | undefined): Promise<Error | undefined> {
  const errors: unknown[] = [];
  await cgroup?.remove().catch((error: unknown) => errors.push(error));
  // A stub the step filled (or swapped for a symlink) is kept, as BuildKit does: not an error.
  await state.stubs.cleanup();
  await removeStagingDir(state.stagingDir).catch((error: unknown) => errors.push(error));
  if (errors.length === 0) return undefined;
  return new TsbuildError('E_STEP', `sandbox cleanup failed: ${errors.map(String).join('; ')}`, { cause: errors[0] });
}
