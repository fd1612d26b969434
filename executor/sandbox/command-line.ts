// The argv and environment of the sandbox's processes (the tree is drawn in setup-script.ts).
// Values travel as separate argv entries or environment variables, never through a shell string.
import { TsbuildError } from '../../lib/errors.js';
import { capabilityArgs } from './capabilities.js';
import type { SandboxLimits, RunCgroup } from './cgroup-limits.js';
import type { HostTools } from './host-tools.js';
import type { Privileges } from './host-privileges.js';
import type { PreparedTargets } from './mount-targets.js';
import { INNER_SCRIPT, OUTER_SCRIPT } from './setup-script.js';
import type { SandboxCommand } from './sandbox-process.js';
import type { RunSpec } from './types.js';

/** The only PATH the host tools see; the step's PATH is used only inside the chroot. */
const HOST_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface CommandInput {
  readonly spec: RunSpec;
  readonly tools: HostTools;
  readonly privileges: Privileges;
  readonly stagingDir: string;
  readonly rootName: string;
  readonly targets: PreparedTargets;
  readonly cgroup: RunCgroup | undefined;
  readonly limits: SandboxLimits;
  /** Options for `mount -o` that make the rootfs read-only at the end of setup (readonlyRootfs). */
  readonly readonlyRemount: string;
}

function namespaceArgs(privileges: Privileges, spec: RunSpec): string[] {
  const args: string[] = [];
  if (privileges.kind === 'rootless') {
    args.push('--user', '--map-root-user');
    if (privileges.mapping === 'subid') args.push('--map-users=auto', '--map-groups=auto');
  }
  args.push('--mount', '--uts', '--ipc', '--pid', '--fork', '--kill-child', '--propagation', 'private');
  // `default` and `host` share the host's network namespace (there is no bridge), like docker build.
  if (spec.network === 'none') args.push('--net');
  return args;
}

function groupArgs(spec: RunSpec, privileges: Privileges): string[] {
  if (privileges.kind === 'rootless' && privileges.mapping === 'single') {
    // With one mapped id the kernel forbids setgroups; the process keeps no usable extra groups.
    return ['--keep-groups'];
  }
  return spec.additionalGids.length > 0 ? [`--groups=${spec.additionalGids.join(',')}`] : ['--clear-groups'];
}

/** rlimits: RLIMIT_NPROC only when no pids cgroup could be made, RLIMIT_FSIZE whenever asked for. */
function rlimitArgs(input: CommandInput): string[] {
  const limits: string[] = [];
  if (input.limits.pids !== undefined && !input.cgroup?.limitsPids) limits.push(`--nproc=${input.limits.pids}`);
  if (input.limits.fileSizeBytes !== undefined) limits.push(`--fsize=${input.limits.fileSizeBytes}`);
  if (limits.length === 0) return [];
  if (!input.tools.prlimit) throw new TsbuildError('E_STEP', 'resource limits need the host tool prlimit (Debian package util-linux)');
  return [input.tools.prlimit, ...limits, '--'];
}

/**
 * What INNER finally execs: setpriv sets the gid, groups and capability sets (with the host's clean
 * environment), env -i installs exactly the step's environment, and unshare chroots, changes
 * directory, sets the uid and execvp()s argv[0] with the step's PATH inside the rootfs. The step's
 * environment entries go between the two halves (INNER splices them in from TSB_ENV_<n>).
 */
function finalChain(input: CommandInput): { beforeEnv: string[]; afterEnv: string[] } {
  const { spec, tools } = input;
  return {
    beforeEnv: [
      tools.setpriv, `--regid=${spec.gid}`, ...groupArgs(spec, input.privileges), ...capabilityArgs(), '--',
      ...rlimitArgs(input),
      tools.env, '-i', '--',
    ],
    afterEnv: [tools.unshare, `--root=/${input.rootName}`, `--wd=${spec.cwd}`, `--setuid=${spec.uid}`, '--', ...spec.args],
  };
}

function stepEnvironment(spec: RunSpec): Record<string, string> {
  const vars: Record<string, string> = { TSB_ENV_COUNT: String(spec.env.length) };
  spec.env.forEach((entry, i) => (vars[`TSB_ENV_${i}`] = entry));
  return vars;
}

function outerPositional(targets: PreparedTargets): string[] {
  const args = [String(targets.userMounts.length)];
  for (const m of targets.userMounts) args.push(m.kind, m.base, m.rel, m.file, m.arg);
  args.push(targets.cwdBase, String(targets.cwdCreate.length), ...targets.cwdCreate);
  return args;
}

function outerEnv(input: CommandInput): Record<string, string> {
  const { tools, spec, privileges } = input;
  const rootless = privileges.kind === 'rootless';
  if (rootless && !tools.hostname) {
    throw new TsbuildError('E_STEP', 'a rootless sandbox needs the host tool hostname (Debian package hostname) to set the host name');
  }
  const [cgroup1 = '', cgroup2 = ''] = input.cgroup?.procsFiles ?? [];
  return {
    PATH: HOST_PATH,
    TSB_T: input.stagingDir,
    TSB_R: `/${input.rootName}`,
    TSB_MOUNT: tools.mount,
    TSB_UMOUNT: tools.umount,
    TSB_PIVOT: tools.pivotRoot,
    TSB_CP: tools.cp,
    TSB_MKDIR: tools.mkdir,
    TSB_CHOWN: tools.chown,
    TSB_UNSHARE: tools.unshare,
    TSB_SHELL: tools.shell,
    TSB_INNER: INNER_SCRIPT,
    TSB_MULTIDIGIT_FDS: tools.shell.endsWith('/bash') ? '1' : '',
    TSB_HOSTNAME: spec.hostname,
    // Root writes /proc/sys/kernel/hostname (no process needed); a user namespace may not, so it
    // needs sethostname(2) from hostname(1).
    TSB_HOSTNAME_TOOL: rootless ? tools.hostname! : '',
    // A fresh network namespace has `lo` down; without iproute2 it stays down (no loopback traffic).
    TSB_IP: spec.network === 'none' && tools.ip ? tools.ip : '',
    TSB_CGROUP_1: cgroup1,
    TSB_CGROUP_2: cgroup2,
    TSB_OWNER: `${spec.uid}:${spec.gid}`,
    TSB_REMOUNT_RO: spec.readonlyRootfs ? input.readonlyRemount : '',
    TSB_HOST_SYS: rootless ? '/.h/sys' : '',
    ...stepEnvironment(spec),
  };
}

/** POSIX single-quoting: every byte but NUL survives, nothing is interpreted. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * node → setpriv --pdeathsig=KILL → unshare (namespaces) → OUTER script. With a terminal, util-linux
 * script(1) sits in between: it allocates a host pty, makes it the controlling terminal of a new
 * session and runs the same command line (quoted, through the host shell) on it.
 */
export function sandboxCommand(input: CommandInput, tty = false): SandboxCommand {
  const { tools } = input;
  const { beforeEnv, afterEnv } = finalChain(input);
  const outer = [
    tools.setpriv, '--pdeathsig=KILL', '--', tools.unshare, ...namespaceArgs(input.privileges, input.spec), '--',
    tools.shell, '-c', OUTER_SCRIPT, 'tsbuild-sandbox', ...outerPositional(input.targets),
    String(beforeEnv.length), ...beforeEnv, ...afterEnv,
  ];
  const env = outerEnv(input);
  if (!tty) return { file: outer[0]!, args: outer.slice(1), env };
  if (!tools.script) throw new TsbuildError('E_STEP', 'a terminal needs the host tool script (Debian package bsdutils)');
  const scriptArgs = ['-q', '-e', '-c', `exec ${outer.map(shellQuote).join(' ')}`, '/dev/null'];
  return { file: tools.setpriv, args: ['--pdeathsig=KILL', '--', tools.script, ...scriptArgs], env: { ...env, SHELL: tools.shell } };
}
