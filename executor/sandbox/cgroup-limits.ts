// Resource limits, so a fork bomb or a memory hog ends in a failed step instead of a dead machine.
// A cgroup per run (v2 under the cgroup root, v1 under our own cgroup in the pids and memory
// hierarchies) is used when /sys/fs/cgroup is writable; the sandbox's pid 1 joins it before
// starting anything, so every process of the step is counted. Otherwise rlimits (prlimit) are the
// fallback: RLIMIT_NPROC counts every process of the same real uid and does not bind real root,
// and memory cannot be limited at all; the limits actually in force are reported to the caller.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SandboxLimits {
  /** Maximum number of processes (and threads) in the step. */
  readonly pids?: number;
  /** Maximum memory in bytes (cgroup only). */
  readonly memoryBytes?: number;
  /** Maximum size of any one file the step writes (RLIMIT_FSIZE, always via prlimit). */
  readonly fileSizeBytes?: number;
}

/** A fork bomb stops here; podman's default is 2048, a parallel C++ build needs a few hundred. */
export const DEFAULT_LIMITS: SandboxLimits = { pids: 4096 };

export interface CgroupMount {
  readonly mountPoint: string;
  readonly version: 1 | 2;
  /** v1: the controllers of this hierarchy. */
  readonly controllers: readonly string[];
}

/** One run's cgroup directories; `procsFiles` are what the sandbox's pid 1 writes `0` into. */
export interface RunCgroup {
  readonly procsFiles: readonly string[];
  readonly limitsPids: boolean;
  readonly limitsMemory: boolean;
  remove(): Promise<void>;
}

export async function cgroupMounts(): Promise<CgroupMount[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fsType, , superOptions = ''] = right.split(' ');
    const mountPoint = left.split(' ')[4]!;
    if (fsType === 'cgroup2') mounts.push({ mountPoint, version: 2, controllers: [] });
    if (fsType === 'cgroup') mounts.push({ mountPoint, version: 1, controllers: superOptions.split(',') });
  }
  return mounts;
}

/** Our cgroup path in a v1 hierarchy that has `controller`, from /proc/self/cgroup. */
async function ownV1Path(controller: string): Promise<string | undefined> {
  const text = await readFile('/proc/self/cgroup', 'utf8');
  for (const line of text.split('\n')) {
    const [, controllers = '', path] = line.split(':');
    if (controllers.split(',').includes(controller)) return path;
  }
  return undefined;
}

async function writeLimit(file: string, value: number | string): Promise<void> {
  await writeFile(file, `${value}\n`);
}

/** A v2 child of the cgroup root: only the root may have processes and delegate controllers. */
async function createV2(mount: CgroupMount, limits: SandboxLimits, name: string): Promise<RunCgroup | undefined> {
  const available = (await readFile(join(mount.mountPoint, 'cgroup.controllers'), 'utf8')).split(/\s+/);
  const wanted: string[] = [];
  for (const controller of ['pids', 'memory'].filter((c) => available.includes(c))) {
    // One at a time: a controller that cannot be delegated must not cost us the other.
    const enabled = await writeFile(join(mount.mountPoint, 'cgroup.subtree_control'), `+${controller}`).then(() => true, () => false);
    if (enabled) wanted.push(controller);
  }
  if (wanted.length === 0) return undefined;
  const dir = join(mount.mountPoint, name);
  await mkdir(dir);
  const cgroup = runCgroup([dir], [join(dir, 'cgroup.procs')], wanted.includes('pids'), wanted.includes('memory'));
  try {
    if (limits.pids !== undefined && cgroup.limitsPids) await writeLimit(join(dir, 'pids.max'), limits.pids);
    if (limits.memoryBytes !== undefined && cgroup.limitsMemory) await writeLimit(join(dir, 'memory.max'), limits.memoryBytes);
    return cgroup;
  } catch (error) {
    await cgroup.remove();
    throw error;
  }
}

/** Where run cgroups are created: the v2 root, or our own cgroup in the v1 pids and memory hierarchies. */
export async function cgroupParents(): Promise<string[]> {
  try {
    const mounts = await cgroupMounts();
    const unified = mounts.find((m) => m.version === 2 && m.mountPoint === '/sys/fs/cgroup');
    if (unified) return [unified.mountPoint];
    const parents: string[] = [];
    for (const controller of ['pids', 'memory']) {
      const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
      const own = await ownV1Path(controller);
      if (mount && own !== undefined) parents.push(join(mount.mountPoint, own));
    }
    return parents;
  } catch {
    return [];
  }
}

function v1Settings(limits: SandboxLimits): [controller: string, file: string, value: number][] {
  const settings: [string, string, number][] = [];
  if (limits.pids !== undefined) settings.push(['pids', 'pids.max', limits.pids]);
  if (limits.memoryBytes !== undefined) settings.push(['memory', 'memory.limit_in_bytes', limits.memoryBytes]);
  return settings;
}

/** v1: a child of our own cgroup in each hierarchy (v1 has no "no internal processes" rule). */
async function createV1(mounts: CgroupMount[], limits: SandboxLimits, name: string): Promise<RunCgroup | undefined> {
  const dirs: string[] = [];
  const procsFiles: string[] = [];
  const applied = new Set<string>();
  try {
    for (const [controller, file, value] of v1Settings(limits)) {
      const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
      const own = await ownV1Path(controller);
      if (!mount || own === undefined) continue;
      const dir = join(mount.mountPoint, own, name);
      await mkdir(dir);
      dirs.push(dir);
      await writeLimit(join(dir, file), value);
      procsFiles.push(join(dir, 'cgroup.procs'));
      applied.add(controller);
    }
  } catch (error) {
    await removeCgroupDirs(dirs);
    throw error;
  }
  return dirs.length > 0 ? runCgroup(dirs, procsFiles, applied.has('pids'), applied.has('memory')) : undefined;
}

function runCgroup(dirs: string[], procsFiles: string[], limitsPids: boolean, limitsMemory: boolean): RunCgroup {
  return { procsFiles, limitsPids, limitsMemory, remove: () => removeCgroupDirs(dirs) };
}

/**
 * The pid namespace is gone when the run ends, but exiting processes may linger for a moment; a
 * leftover process (which should not exist) is killed rather than leaking the cgroup.
 */
async function removeCgroupDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of [...dirs].reverse()) {
    for (let attempt = 0; ; attempt++) {
      try {
        await rmdir(dir);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || attempt >= 100) throw error;
        if (attempt === 20) await killMembers(dir);
        await sleep(10);
      }
    }
  }
}

async function killMembers(dir: string): Promise<void> {
  const pids = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * A cgroup for one run, or undefined when this machine gives us none (then rlimits apply).
 * `namePrefix` carries node's pid, so a run's cgroup left by a killed node can be swept.
 */
export async function createRunCgroup(limits: SandboxLimits, namePrefix: string): Promise<RunCgroup | undefined> {
  if (limits.pids === undefined && limits.memoryBytes === undefined) return undefined;
  const name = `${namePrefix}${randomBytes(8).toString('hex')}`;
  try {
    const mounts = await cgroupMounts();
    const unified = mounts.find((m) => m.version === 2 && m.mountPoint === '/sys/fs/cgroup');
    if (unified) return await createV2(unified, limits, name);
    return await createV1(mounts, limits, name);
  } catch {
    return undefined; // not root, read-only cgroupfs, no delegation: fall back to rlimits
  }
}
