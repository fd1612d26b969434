// What of the host the staging root mirrors, and which kernel files get masked. Detected once per
// sandbox: the host's top-level /bin, /sbin and /lib* (symlinks into /usr on merged-usr systems,
// real directories elsewhere), the dynamic linker's cache, and which of Docker's masked and
// read-only /proc and /sys paths this kernel actually has (masking a path that does not exist
// would make the mount fail).
import { lstat, readlink } from 'node:fs/promises';
import { inheritedMountFlags } from './host-mounts.js';

export interface TopLevelEntry {
  readonly name: string;
  /** Set when the host entry is a symlink (merged /usr): recreated as the same symlink. */
  readonly symlinkTarget?: string;
  /** Flags of the host mount holding a real directory, repeated on its read-only bind. */
  readonly flags: readonly string[];
}

export interface MaskedPath {
  readonly path: string;
  /** Files are covered with /dev/null, directories with an empty read-only tmpfs (as runc does). */
  readonly kind: 'file' | 'dir';
}

export interface HostLayout {
  readonly topLevel: readonly TopLevelEntry[];
  readonly usrFlags: readonly string[];
  readonly ldCacheFlags?: readonly string[];
  readonly sysFlags: readonly string[];
  readonly maskedPaths: readonly MaskedPath[];
  readonly readonlyPaths: readonly string[];
}

const TOP_LEVEL = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/** Docker/containerd's default masked paths (moby adds /proc/interrupts): host kernel details and knobs. */
const MASKED = [
  '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/sched_debug', '/proc/scsi', '/proc/timer_list', '/proc/timer_stats',
  '/sys/devices/virtual/powercap', '/sys/firmware',
];

/** Docker's read-only paths: kernel tunables that must not be written even by the sandbox's root. */
const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

async function kindOf(path: string): Promise<'file' | 'dir' | 'symlink' | undefined> {
  try {
    const info = await lstat(path);
    return info.isSymbolicLink() ? 'symlink' : info.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

async function topLevelEntries(): Promise<TopLevelEntry[]> {
  const entries: TopLevelEntry[] = [];
  for (const name of TOP_LEVEL) {
    const kind = await kindOf(`/${name}`);
    if (kind === 'symlink') entries.push({ name, symlinkTarget: await readlink(`/${name}`), flags: [] });
    else if (kind === 'dir') entries.push({ name, flags: await inheritedMountFlags(`/${name}`) });
  }
  return entries;
}

/**
 * In a user namespace /sys is the host's (a fresh sysfs needs a network namespace we may not own),
 * so its cgroup tree is masked too: a delegated cgroup there would be writable by the sandbox's root.
 */
async function maskedPaths(rootless: boolean): Promise<MaskedPath[]> {
  const candidates = rootless ? [...MASKED, '/sys/fs/cgroup'] : MASKED;
  const found: MaskedPath[] = [];
  for (const path of candidates) {
    const kind = await kindOf(path);
    if (kind === 'file' || kind === 'dir') found.push({ path, kind });
  }
  return found;
}

export async function detectHostLayout(rootless: boolean): Promise<HostLayout> {
  const readonlyPaths: string[] = [];
  for (const path of READONLY) if (await kindOf(path)) readonlyPaths.push(path);
  const hasLdCache = (await kindOf('/etc/ld.so.cache')) === 'file';
  return {
    topLevel: await topLevelEntries(),
    usrFlags: await inheritedMountFlags('/usr'),
    ...(hasLdCache ? { ldCacheFlags: await inheritedMountFlags('/etc/ld.so.cache') } : {}),
    sysFlags: await inheritedMountFlags('/sys'),
    maskedPaths: await maskedPaths(rootless),
    readonlyPaths,
  };
}
