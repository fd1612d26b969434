// The sandbox's mount table, as four `mount --all` batches (see setup-script.ts for when each runs).
//
// Security properties, each enforced here:
// - Nothing writable in the sandbox allows device nodes (`nodev` on the rootfs, /dev, /dev/shm and
//   every bind or tmpfs mount): CAP_MKNOD stays (Docker's set) but a node made with it cannot be
//   opened, which is what Docker's device cgroup achieves. Only the six bound host nodes work.
// - The staging root T is a read-only bind of the run's temp folder; the host's /usr (and /lib*
//   when they are real folders) are read-only, nosuid and nodev. A process that escapes the chroot
//   finds only that: nothing writable, no host data.
// - Docker's masked and read-only /proc and /sys paths (host-layout.ts).
import type { FstabEntry } from './fstab.js';
import type { HostLayout } from './host-layout.js';
import { ETC_FILES } from './mount-targets.js';

/** One host bind staged at T/.m/<index> before pivot_root and moved onto its target afterwards. */
export interface StagedBind {
  readonly source: string;
  readonly readonly: boolean;
  readonly flags: readonly string[];
}

export interface PlanInput {
  /** T, the run's temp folder on the host. */
  readonly stagingDir: string;
  readonly stagingFlags: readonly string[];
  /** The rootfs is mounted at /<rootName> in T: an unguessable name (see setup-script.ts). */
  readonly rootName: string;
  readonly rootfs: string;
  readonly rootfsFlags: readonly string[];
  readonly layout: HostLayout;
  readonly rootless: boolean;
  /** gid 5 (tty) only exists in the namespace as root or with a subordinate gid range. */
  readonly ttyGroupMapped: boolean;
  readonly binds: readonly StagedBind[];
  /** Resolved container paths of /etc/hosts, /etc/resolv.conf and /etc/hostname (they may be symlinks). */
  readonly etcTargets: readonly string[];
}

/** The device nodes a process gets, bound from the host (Docker's default set minus /dev/console). */
export const DEVICE_NODES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

const SHM_OPTIONS = ['nosuid', 'nodev', 'noexec', 'mode=1777', 'size=65536k'];

/**
 * `mount --all` skips an entry whose source, type and target match an existing mount. In a user
 * namespace /sys is the host's, with its own tmpfs at /sys/fs/cgroup: a mask named plain "tmpfs"
 * there would be skipped silently. Sources nobody else uses make every entry really mount.
 */
const MASK_SOURCE = 'tsbuild-mask';

function bind(source: string, target: string, ...options: string[]): FstabEntry {
  return { source, target, type: 'none', options: ['bind', ...new Set(options)] };
}

/** Before pivot_root: host paths, all targets inside T. */
export function preBatch(input: PlanInput): FstabEntry[] {
  const t = input.stagingDir;
  const sealed = ['ro', 'nosuid', 'nodev'];
  const entries: FstabEntry[] = [bind(t, t, ...input.stagingFlags, ...sealed)];
  entries.push(bind('/usr', `${t}/usr`, ...input.layout.usrFlags, ...sealed));
  for (const top of input.layout.topLevel) {
    if (top.symlinkTarget === undefined) entries.push(bind(`/${top.name}`, `${t}/${top.name}`, ...top.flags, ...sealed));
  }
  if (input.layout.ldCacheFlags) entries.push(bind('/etc/ld.so.cache', `${t}/etc/ld.so.cache`, ...input.layout.ldCacheFlags, ...sealed));
  // A plain bind keeps the host devtmpfs's flags: these must stay openable devices.
  for (const node of DEVICE_NODES) entries.push({ source: `/dev/${node}`, target: `${t}/.d/${node}`, type: 'none', options: ['bind'] });
  entries.push(bind(input.rootfs, `${t}/${input.rootName}`, ...input.rootfsFlags, 'nodev'));
  input.binds.forEach((staged, index) => {
    const extra = staged.readonly ? ['ro', 'nodev'] : ['nodev'];
    entries.push(bind(staged.source, `${t}/.m/${index}`, ...staged.flags, ...extra));
  });
  // T's own /proc: needed to mount a new proc in a user namespace (the kernel wants a fully
  // visible proc in the mount namespace); unmounted again before the step's process starts.
  entries.push({ source: 'proc', target: `${t}/proc`, type: 'proc', options: ['nosuid', 'nodev', 'noexec'] });
  if (input.rootless) {
    entries.push({ source: '/sys', target: `${t}/.h/sys`, type: 'none', options: ['rbind', ...input.layout.sysFlags, 'ro'] });
  }
  return entries;
}

/** After pivot_root: /dev's tmpfs (filled from the skeleton by the script) and /sys. */
export function devBatch(input: PlanInput): FstabEntry[] {
  const r = `/${input.rootName}`;
  const sys: FstabEntry = input.rootless
    ? { source: '/.h/sys', target: `${r}/sys`, type: 'none', options: ['rbind', ...input.layout.sysFlags, 'ro'] }
    : { source: 'sysfs', target: `${r}/sys`, type: 'sysfs', options: ['ro', 'nosuid', 'nodev', 'noexec'] };
  return [
    { source: 'tsbuild-dev', target: `${r}/dev`, type: 'tmpfs', options: ['nosuid', 'nodev', 'strictatime', 'mode=755', 'size=65536k'] },
    sys,
  ];
}

/** After the /dev skeleton is copied: device nodes, pts, shm, mqueue, /sys masks, /etc files. */
export function lateBatch(input: PlanInput): FstabEntry[] {
  const r = `/${input.rootName}`;
  const entries: FstabEntry[] = DEVICE_NODES.map((node) => ({ source: `/.d/${node}`, target: `${r}/dev/${node}`, type: 'none', options: ['bind'] }));
  const pts = ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(input.ttyGroupMapped ? ['gid=5'] : [])];
  entries.push({ source: 'devpts', target: `${r}/dev/pts`, type: 'devpts', options: pts });
  entries.push({ source: 'tsbuild-shm', target: `${r}/dev/shm`, type: 'tmpfs', options: SHM_OPTIONS });
  entries.push({ source: 'mqueue', target: `${r}/dev/mqueue`, type: 'mqueue', options: ['nosuid', 'nodev', 'noexec'] });
  entries.push(...maskEntries(input, '/sys/'));
  const etcFlags = [...input.stagingFlags, 'ro', 'nosuid', 'nodev'];
  ETC_FILES.forEach((name, i) => entries.push(bind(`/.s/${name}`, `${r}${input.etcTargets[i]}`, ...etcFlags)));
  return entries;
}

/** Run by the process that is pid 1 of the step's pid namespace, so /proc shows that namespace. */
export function procBatch(input: PlanInput): FstabEntry[] {
  const r = `/${input.rootName}`;
  const entries: FstabEntry[] = [{ source: 'proc', target: `${r}/proc`, type: 'proc', options: ['nosuid', 'nodev', 'noexec'] }];
  entries.push(...maskEntries(input, '/proc/'));
  for (const path of input.layout.readonlyPaths) entries.push(bind(`${r}${path}`, `${r}${path}`, 'ro', 'nosuid', 'nodev', 'noexec'));
  return entries;
}

function maskEntries(input: PlanInput, under: string): FstabEntry[] {
  const r = `/${input.rootName}`;
  return input.layout.maskedPaths
    .filter((mask) => mask.path.startsWith(under))
    .map((mask) =>
      mask.kind === 'file'
        ? bind('/.d/null', `${r}${mask.path}`)
        : { source: MASK_SOURCE, target: `${r}${mask.path}`, type: 'tmpfs', options: ['ro', 'nosuid', 'nodev', 'noexec', 'mode=755'] },
    );
}
