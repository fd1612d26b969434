// Running one more process inside a sandbox that is already running (`exec`, HEALTHCHECK), given
// the host pid of its first process. nsenter joins that process's mount, UTS, IPC, network and pid
// namespaces (and its user namespace when rootless); setns into the mount namespace leaves it at
// the sandbox's staging root, where the host tools are mirrored (setup-script.ts). From there the
// same final chain as a sandbox run applies the credentials and capability bounding set, installs
// exactly the given environment and chroots into the sandbox's rootfs, found as the first process's
// root directory. The new process is a member of the sandbox's pid namespace and cgroups, so it
// sees (and dies with) the sandbox's processes and counts toward its limits.
//
//   node → shell (stderr to the status pipe) → nsenter → [fork into the pid ns] → ENTER script
//     → setpriv (gid, groups, caps) → env -i (the environment) → unshare --root --wd --setuid → argv
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import { TsbuildError } from '../../lib/errors.js';
import { capabilityArgs } from './capabilities.js';
import { cgroupMounts } from './cgroup-limits.js';
import { shellQuote } from './command-line.js';
import { detectPrivileges } from './host-privileges.js';
import { findHostTool, findHostTools, type HostTools } from './host-tools.js';
import { runSandboxProcess, type SandboxCommand } from './sandbox-process.js';
import { SPLICE_ENV_AND_EXEC } from './setup-script.js';
import type { RunResult, RunSpec, Stdio } from './types.js';

export type EnterSpec = Pick<RunSpec, 'args' | 'env' | 'cwd' | 'uid' | 'gid' | 'additionalGids'>;

const HOST_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** Splices the TSB_ENV_<n> entries in after the first $1 words, then hands over (as INNER does). */
const ENTER_SCRIPT = SPLICE_ENV_AND_EXEC;

/**
 * On the host, before nsenter: sends nsenter's own complaints to the status pipe (the ENTER script
 * gives stderr back), joins the sandbox's cgroups (so its pids limit counts the command) and closes every descriptor above 4 that node inherited without close-on-exec
 * (dash cannot name descriptors above 9; bash is used when the host has it).
 */
const LAUNCH_SCRIPT = String.raw`
exec 4>&2 2>&3
for file in $TSB_CGROUP_PROCS; do
  echo $$ > "$file" || { printf 'cannot join the container cgroup %s\n' "$file" >&3; exit 125; }
done
cd /proc/self/fd || exit 125
for fd in *; do
  case $fd in
    0|1|2|3|4|*[!0-9]*) ;;
    [5-9]) eval "exec $fd>&-" ;;
    *) if [ -n "$TSB_MULTIDIGIT_FDS" ]; then eval "exec $fd>&-"; fi ;;
  esac
done
cd /
exec "$@"
`;

interface EnterHost {
  readonly tools: HostTools;
  readonly nsenter: string;
  readonly rootless: boolean;
}

let hostSetup: Promise<EnterHost> | undefined;

function enterHost(): Promise<EnterHost> {
  hostSetup ??= (async () => {
    const tools = await findHostTools();
    const nsenter = await findHostTool('nsenter');
    if (nsenter === undefined) throw new TsbuildError('E_STEP', 'running a command in a container needs the host tool nsenter (Debian package util-linux)');
    return { tools, nsenter, rootless: (await detectPrivileges(tools)).kind === 'rootless' };
  })();
  return hostSetup;
}

/** The sandbox's rootfs as its first process sees it: `/<name>` inside the staging root. */
async function sandboxRoot(pid: number): Promise<string> {
  const root = await readlink(`/proc/${pid}/root`).catch(() => '');
  if (!/^\/[A-Za-z0-9._-]+$/.test(root)) throw new TsbuildError('E_STEP', `process ${pid} is not the first process of a running sandbox`);
  return root;
}

/**
 * The cgroup.procs files of the sandbox's own cgroups: those where its first process sits elsewhere
 * than we do (a sandbox without a cgroup of its own has none). Paths contain no spaces (our names).
 */
async function sandboxCgroupProcs(pid: number): Promise<string[]> {
  const parse = (text: string) => text.split('\n').filter(Boolean).map((line) => line.split(':') as [string, string, string]);
  const [theirs, ours, mounts] = await Promise.all([readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => ''), readFile('/proc/self/cgroup', 'utf8'), cgroupMounts()]);
  const own = new Map(parse(ours).map(([id, controllers, path]) => [`${id}:${controllers}`, path]));
  const files: string[] = [];
  for (const [id, controllers, path] of parse(theirs)) {
    if (path === undefined || own.get(`${id}:${controllers}`) === path || !/^[A-Za-z0-9_./-]+$/.test(path)) continue;
    const mount = controllers === '' ? mounts.find((m) => m.version === 2) : mounts.find((m) => m.version === 1 && controllers.split(',').every((c) => m.controllers.includes(c)));
    if (mount !== undefined) files.push(join(mount.mountPoint, path, 'cgroup.procs'));
  }
  return files;
}

async function inOwnUserNamespace(pid: number): Promise<boolean> {
  const [theirs, ours] = await Promise.all([readlink(`/proc/${pid}/ns/user`).catch(() => ''), readlink('/proc/self/ns/user')]);
  return theirs !== '' && theirs !== ours;
}

function finalChain(tools: HostTools, spec: EnterSpec, root: string, rootless: boolean): { beforeEnv: string[]; afterEnv: string[] } {
  const groups = rootless ? ['--keep-groups'] : spec.additionalGids.length > 0 ? [`--groups=${spec.additionalGids.join(',')}`] : ['--clear-groups'];
  return {
    beforeEnv: [tools.setpriv, `--regid=${spec.gid}`, ...groups, ...capabilityArgs(), '--', tools.env, '-i', '--'],
    afterEnv: [tools.unshare, `--root=${root}`, `--wd=${spec.cwd}`, `--setuid=${spec.uid}`, '--', ...spec.args],
  };
}

async function enterCommand(pid: number, spec: EnterSpec, tty: boolean): Promise<SandboxCommand> {
  const host = await enterHost();
  const { tools } = host;
  const root = await sandboxRoot(pid);
  const userns = host.rootless && (await inOwnUserNamespace(pid)) ? ['--user'] : [];
  const { beforeEnv, afterEnv } = finalChain(tools, spec, root, host.rootless);
  const namespaces = [`--target=${pid}`, ...userns, '--mount', '--uts', '--ipc', '--net', '--pid'];
  // --norc: bash reads ~/.bashrc when its stdin is a socket (node's pipes are), as if run by rshd.
  const shell = tools.shell.endsWith('/bash') ? [tools.shell, '--norc'] : [tools.shell];
  const argv = [...shell, '-c', LAUNCH_SCRIPT, 'tsbuild-enter', host.nsenter, ...namespaces, '--', ...shell, '-c', ENTER_SCRIPT, 'tsbuild-exec', String(beforeEnv.length), ...beforeEnv, ...afterEnv];
  const cgroups = await sandboxCgroupProcs(pid);
  const env: Record<string, string> = { PATH: HOST_PATH, TSB_MULTIDIGIT_FDS: shell.length > 1 ? '1' : '', TSB_CGROUP_PROCS: cgroups.join(' '), TSB_ENV_COUNT: String(spec.env.length) };
  spec.env.forEach((entry, i) => (env[`TSB_ENV_${i}`] = entry));
  if (!tty) return { file: argv[0]!, args: argv.slice(1), env };
  if (!tools.script) throw new TsbuildError('E_STEP', 'a terminal needs the host tool script (Debian package bsdutils)');
  return { file: tools.script, args: ['-q', '-e', '-c', `exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'], env: { ...env, SHELL: tools.shell } };
}

/**
 * Runs `spec.args` inside the running sandbox whose first process is host pid `pid`. Resolves with
 * the exit status (128+N for a signal); rejects with E_ABORTED on `signal`, E_STEP when it could
 * not enter.
 */
export async function enterSandbox(pid: number, spec: EnterSpec, io: Stdio, signal?: AbortSignal): Promise<RunResult> {
  if (signal?.aborted) throw new TsbuildError('E_ABORTED', 'the command was aborted');
  const exit = await runSandboxProcess(await enterCommand(pid, spec, io.tty === true), io, signal);
  if (exit.aborted) throw new TsbuildError('E_ABORTED', 'the command was aborted');
  if (!exit.started) {
    const detail = exit.setupOutput.trim() || `exit status ${exit.code ?? exit.signal}`;
    throw new TsbuildError('E_STEP', `cannot enter the container: ${detail}`);
  }
  if (exit.signal) return { exitCode: 128 + (osConstants.signals[exit.signal] ?? 0), signal: exit.signal };
  return { exitCode: exit.code ?? 0 };
}
