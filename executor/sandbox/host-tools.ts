// The host programs the sandbox is built from. SECURITY lesson 4: never run a binary from the
// image's rootfs with host privileges, so every tool is found by absolute path in the host's system
// directories (not $PATH, which the caller's environment controls) and must be root-owned and not
// writable by anyone else. The same paths stay valid after pivot_root, because the sandbox's
// staging root mirrors the host's /usr and top-level /bin, /sbin and /lib* read-only.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TsbuildError } from '../../lib/errors.js';

const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** util-linux 2.38 is Debian 12's: --map-users=auto, setpriv --pdeathsig, unshare --root/--wd. */
const MIN_UTIL_LINUX: readonly [number, number] = [2, 38];

export interface HostTools {
  readonly unshare: string;
  readonly setpriv: string;
  readonly mount: string;
  readonly umount: string;
  readonly pivotRoot: string;
  readonly env: string;
  readonly cp: string;
  readonly mkdir: string;
  readonly chown: string;
  /** The shell that runs the setup scripts: bash when present, because dash cannot close fds above 9. */
  readonly shell: string;
  /** Optional: brings `lo` up in a `network: none` namespace. */
  readonly ip?: string;
  /** Optional as root (a /proc write does it); needed in a user namespace to set the hostname. */
  readonly hostname?: string;
  /** Optional: rlimits when no cgroup is writable. */
  readonly prlimit?: string;
  /** Optional: allocates the pseudo-terminal for `tty: true`. */
  readonly script?: string;
}

async function isTrustedExecutable(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    // Root-owned and not group/other-writable: nobody but root can swap what we run as root.
    return info.isFile() && (info.mode & 0o111) !== 0 && info.uid === 0 && (info.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

export async function findHostTool(name: string): Promise<string | undefined> {
  for (const dir of SYSTEM_DIRS) {
    const candidate = join(dir, name);
    if (await isTrustedExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function requireTool(name: string, pkg: string): Promise<string> {
  const path = await findHostTool(name);
  if (!path) {
    throw new TsbuildError('E_STEP', `the sandbox needs the host tool ${name} (Debian package ${pkg}) in ${SYSTEM_DIRS.join(', ')}`);
  }
  return path;
}

async function checkUtilLinuxVersion(unshare: string): Promise<void> {
  const { stdout } = await promisify(execFile)(unshare, ['--version'], { encoding: 'utf8' });
  const match = /util-linux (\d+)\.(\d+)/.exec(stdout);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (major < MIN_UTIL_LINUX[0] || (major === MIN_UTIL_LINUX[0] && minor < MIN_UTIL_LINUX[1])) {
    throw new TsbuildError('E_STEP', `the sandbox needs util-linux ${MIN_UTIL_LINUX.join('.')} or newer, found: ${stdout.trim()}`);
  }
}

/** Finds and checks every tool once; the result is safe to cache for the process lifetime. */
export async function findHostTools(): Promise<HostTools> {
  const unshare = await requireTool('unshare', 'util-linux');
  await checkUtilLinuxVersion(unshare);
  const tools: HostTools = {
    unshare,
    setpriv: await requireTool('setpriv', 'util-linux'),
    mount: await requireTool('mount', 'mount'),
    umount: await requireTool('umount', 'mount'),
    pivotRoot: await requireTool('pivot_root', 'util-linux'),
    env: await requireTool('env', 'coreutils'),
    cp: await requireTool('cp', 'coreutils'),
    mkdir: await requireTool('mkdir', 'coreutils'),
    chown: await requireTool('chown', 'coreutils'),
    shell: (await findHostTool('bash')) ?? (await requireTool('sh', 'dash')),
    ip: await findHostTool('ip'),
    hostname: await findHostTool('hostname'),
    prlimit: await findHostTool('prlimit'),
    script: await findHostTool('script'),
  };
  return tools;
}
