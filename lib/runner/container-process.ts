// Finds the host pid of a container's first process, so that `stop` can send it the stop signal
// and health checks can tell it is up. The sandbox does not report pids, so this reads /proc: the
// sandbox's outer processes carry TSB_HOSTNAME=<hostname> in their environment (the hostname is
// the container's short ID, unique in a root), and the container's process is their descendant
// that is pid 1 of the innermost pid namespace (NSpid ending in 1, two levels below ours).
import { readdir, readFile, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
}

async function procEntries(): Promise<ProcInfo[]> {
  const names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const infos = await Promise.all(
    names.map(async (name) => {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
      if (stat === undefined) return undefined;
      // comm may contain spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { pid: Number(name), ppid: Number(fields[1]) };
    }),
  );
  return infos.filter((info): info is ProcInfo => info !== undefined);
}

async function hasSandboxHostname(pid: number, hostname: string): Promise<boolean> {
  const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
  return environ.split('\0').includes(`TSB_HOSTNAME=${hostname}`);
}

async function nsPids(pid: number): Promise<number[]> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const line = status.split('\n').find((entry) => entry.startsWith('NSpid:'));
  return line === undefined ? [] : line.slice(6).trim().split(/\s+/).map(Number);
}

/**
 * Whether pid 1 of the sandbox is the container's program yet: until the setup has chrooted into
 * the rootfs (and exec'd the program) its root is the staging root `/`; signals sent earlier would
 * hit the setup shell, and exec would find no rootfs to enter.
 */
async function chrooted(pid: number): Promise<boolean> {
  const root = await readlink(`/proc/${pid}/root`).catch(() => '/');
  return root !== '/';
}

/** The container's first process, or undefined when the sandbox for `hostname` is not (yet) there. */
export async function findContainerPid(hostname: string): Promise<number | undefined> {
  const entries = await procEntries();
  const ownDepth = (await nsPids(process.pid)).length;
  const children = new Map<number, number[]>();
  for (const entry of entries) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry.pid]);
  const roots: number[] = [];
  for (const entry of entries) if (await hasSandboxHostname(entry.pid, hostname)) roots.push(entry.pid);
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const ids = await nsPids(pid);
    if (ids.length >= ownDepth + 2 && ids.at(-1) === 1) return (await chrooted(pid)) ? pid : undefined;
    queue.push(...(children.get(pid) ?? []));
  }
  return undefined;
}

/** Polls for the container's process until it shows up, `done` says to give up, or the time runs out. */
export async function waitForContainerPid(hostname: string, done: () => boolean, timeoutMs = 30_000): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; Date.now() < deadline && !done(); delay = Math.min(delay * 2, 200)) {
    const pid = await findContainerPid(hostname);
    if (pid !== undefined) return pid;
    await sleep(delay);
  }
  return undefined;
}

/** Sends `signal` to a pid; false when it is gone. */
export function signalProcess(pid: number, signal: string | number): boolean {
  try {
    process.kill(pid, signal as NodeJS.Signals);
    return true;
  } catch {
    return false;
  }
}

export function processAlive(pid: number): boolean {
  return pid > 0 && signalProcess(pid, 0);
}
