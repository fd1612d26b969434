// RUN: the only step that runs a process of the image. apply adds BuildKit's history line, describe
// says what the process sees (never proxy values, secrets' contents or source ranges), and execute
// resolves the user in the rootfs, prepares the mounts and runs the command in the sandbox.
import { toContextPath } from '../../cache/context-path.js';
import { TsbuildError } from '../../lib/errors.js';
import type { RunInstruction } from '../../parser/instructions/run.js';
import type { RunMount } from '../../parser/instructions/run-mount.js';
import { isLocalContext, localContextTree, type ContextTreeExtras } from '../context-trees.js';
import { withHistory } from '../dispatch-history.js';
import { BUILDKIT_SCRIPT_DIR, processFailedError, processStoppedError, runCommand, runHistoryLine } from '../run/command-line.js';
import { DiskGuardError } from '../sandbox/disk-guard.js';
import { historyArgPairs, keyedBuildArgs, keyedEnv, processEnv } from '../run/environment.js';
import { absoluteTarget, type MountContext } from '../run/mount-types.js';
import { prepareRunMounts } from '../run/mounts.js';
import { secretId, secretTarget } from '../run/secret-mount.js';
import type { ExtraHost, NetworkMode, RunSpec } from '../sandbox/types.js';
import { homeDirectory, resolveUserSpec } from '../users.js';
import type { StageState, StepContext, StepHandler, StepInput } from './types.js';

/** BuildKit's host name for build containers. */
export const BUILD_HOSTNAME = 'buildkitsandbox';

/**
 * Where a shebang heredoc is mounted when the step runs: BuildKit's /dev/pipes (the script's `$0`),
 * the one place in its /dev the sandbox lets a caller mount a file (sandbox/pipe-scripts.ts).
 */
export const SANDBOX_SCRIPT_DIR = BUILDKIT_SCRIPT_DIR;

/**
 * What RUN needs from the scheduler beyond the step contract, read when present: stage names of
 * `--mount from=` (absent: every `from` is an image), the `--build-arg` values (for proxies) and
 * the build's network (absent: `default`).
 */
export interface RunContextExtras {
  readonly stageIndexOf?: (name: string) => number | undefined;
  readonly buildArgs?: ReadonlyMap<string, string>;
  readonly network?: NetworkMode;
  /** `--add-host` entries for the step's /etc/hosts (BuildKit leaves them out of the cache key). */
  readonly extraHosts?: readonly ExtraHost[];
}

type TreeInput = Exclude<StepInput, { source: 'context' | 'url' }>;

/** Mounts name stages by name only (`from=0` is an image called 0), like the plan graph. */
export function mountFromInput(from: string, extras: RunContextExtras): TreeInput {
  const index = extras.stageIndexOf?.(from);
  return index === undefined ? { source: 'image', ref: from } : { source: 'stage', stageIndex: index };
}

function workdirOf(state: StageState): string {
  return state.config.WorkingDir || '/';
}

/** A mount as it enters the cache key: options that change what the process sees, never contents. */
function describeMount(mount: RunMount, workdir: string): Record<string, string | number | boolean | null> {
  const base = { type: mount.type, readOnly: mount.readOnly, from: mount.from ?? null, source: mount.source ?? null };
  const target = mount.target === undefined ? null : absoluteTarget(mount.target, workdir);
  switch (mount.type) {
    case 'cache':
      return { ...base, target, id: mount.id ?? target, sharing: mount.sharing ?? 'shared', uid: mount.uid ?? 0, gid: mount.gid ?? 0, mode: mount.mode ?? 0o755 };
    case 'tmpfs':
      return { ...base, target, size: mount.sizeLimit ?? null };
    case 'secret':
      return { type: 'secret', id: secretId(mount), target: secretTarget(mount, workdir) ?? null, env: mount.env ?? null, required: mount.required, uid: mount.uid ?? 0, gid: mount.gid ?? 0, mode: mount.mode ?? 0o400 };
    case 'ssh':
      return { type: 'ssh', id: mount.id ?? 'default', target, required: mount.required };
    case 'bind':
      return { ...base, target };
  }
}

/** A bind source as a context path (`..` cannot climb out), `.` for the whole context. */
function contextPathOf(source: string | undefined): string {
  const path = toContextPath(source ?? '');
  return path === '' ? '.' : path;
}

/** The trees mounts read: another stage or image, or the context (main or named) for a bind. */
function mountInputs(mounts: readonly RunMount[], extras: RunContextExtras & ContextTreeExtras): StepInput[] {
  return mounts.flatMap((mount): StepInput[] => {
    if (mount.type !== 'bind' && mount.type !== 'cache') return [];
    if (mount.from !== undefined && isLocalContext(extras, mount.from)) {
      return [{ source: 'context', context: mount.from, paths: [mount.type === 'bind' ? contextPathOf(mount.source) : '.'] }];
    }
    if (mount.from !== undefined) return [mountFromInput(mount.from, extras)];
    if (mount.type === 'bind') return [{ source: 'context', paths: [contextPathOf(mount.source)] }];
    return [];
  });
}

/** What the sandbox cannot do yet fails clearly instead of running differently. */
function checkSupported(ins: RunInstruction): void {
  if (ins.security === 'insecure') throw new TsbuildError('E_STEP', 'entitlement security.insecure is not allowed');
  const device = ins.devices.find((candidate) => candidate.required);
  if (device !== undefined) throw new TsbuildError('E_STEP', `RUN --device is not supported yet (device ${device.name} is required)`);
}

async function runSpecFor(ctx: StepContext, state: StageState, ins: RunInstruction, extras: RunContextExtras, mounts: { mounts: RunSpec['mounts']; env: readonly string[] }, args: readonly string[]): Promise<RunSpec> {
  const user = await resolveUserSpec(ctx.rootfs, state.config.User ?? '');
  const home = await homeDirectory(ctx.rootfs, user.uid);
  return {
    rootfs: ctx.rootfs,
    args,
    env: processEnv(state, extras.buildArgs ?? new Map(), mounts.env, home),
    cwd: workdirOf(state),
    uid: user.uid,
    gid: user.gid,
    additionalGids: user.additionalGids,
    hostname: BUILD_HOSTNAME,
    network: ins.network === 'default' ? (extras.network ?? 'default') : ins.network,
    mounts: mounts.mounts,
    ...(extras.extraHosts?.length ? { extraHosts: extras.extraHosts } : {}),
  };
}

export const runHandler: StepHandler<'RUN'> = {
  kind: 'RUN',
  apply(state, ins) {
    const { args } = runCommand(ins, state.config.Shell);
    return withHistory(state, runHistoryLine(args, historyArgPairs(state)), true);
  },
  describe(state, ins, ctx) {
    const command = runCommand(ins, state.config.Shell);
    const workdir = workdirOf(state);
    const op = {
      args: [...command.args],
      script: command.script === undefined ? null : { name: command.script.name, data: command.script.data },
      env: keyedEnv(state),
      buildArgs: keyedBuildArgs(state),
      user: state.config.User ?? '',
      workdir,
      mounts: ins.mounts.map((mount) => describeMount(mount, workdir)),
      network: ins.network,
      security: ins.security,
      devices: ins.devices.map((device) => ({ name: device.name, required: device.required })),
    };
    const inputs = mountInputs(ins.mounts, ctx as RunContextExtras & ContextTreeExtras);
    return inputs.length > 0 ? { op, inputs } : { op };
  },
  async execute(ctx, state, ins) {
    checkSupported(ins);
    const extras = ctx as StepContext & RunContextExtras & ContextTreeExtras;
    const command = runCommand(ins, state.config.Shell, SANDBOX_SCRIPT_DIR);
    const openFrom = async (from: string) => (isLocalContext(extras, from) ? localContextTree(extras, from) : ctx.openSource(mountFromInput(from, extras)));
    const mc: MountContext = { step: ctx, workdir: workdirOf(state), openFrom };
    const script = command.script === undefined ? undefined : { script: command.script, dir: SANDBOX_SCRIPT_DIR };
    const prepared = await prepareRunMounts(mc, ins.mounts, script);
    try {
      const spec = await runSpecFor(ctx, state, ins, extras, prepared, command.args);
      const io = { stdin: ctx.stdin ?? ('ignore' as const), stdout: ctx.stdout, stderr: ctx.stderr };
      const result = await ctx.sandbox.run(spec, io, ctx.signal).catch((error: unknown) => {
        if (!(error instanceof DiskGuardError)) throw error;
        throw processStoppedError(runCommand(ins, state.config.Shell, BUILDKIT_SCRIPT_DIR).args, error.reason, error);
      });
      if (result.exitCode !== 0) throw processFailedError(runCommand(ins, state.config.Shell, BUILDKIT_SCRIPT_DIR).args, result.exitCode);
    } finally {
      await prepared.release();
    }
  },
};
