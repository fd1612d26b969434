// When node is killed mid-run, the kernel still takes down every sandbox process (parent-death
// signal) and every mount (they only ever existed in the dead namespaces), but node cannot delete
// the run's staging folder and cgroup any more. Both carry the owning node's pid in their name, so
// the next sandbox to start removes those whose owner is gone.
import { readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStagingDir } from './staging-root.js';

const PREFIX = 'tsbuild-sandbox-';
/** A folder younger than this is left alone even with a dead owner (a pid from another namespace). */
const MIN_AGE_MS = 60_000;

/** The name prefix of this process's staging folders and cgroups. */
export function runNamePrefix(): string {
  return `${PREFIX}${process.pid}-`;
}

function ownerIsGone(name: string): boolean {
  const pid = Number(/^tsbuild-sandbox-(\d+)-/.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, someone else's
  }
}

async function staleEntries(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale: string[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !ownerIsGone(name)) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info?.isDirectory() && Date.now() - info.mtimeMs > MIN_AGE_MS) stale.push(join(dir, name));
  }
  return stale;
}

/**
 * Best effort, never throws: a staging folder is only deleted when the host sees no mount in it,
 * and a cgroup only when empty (rmdir of a cgroup with processes fails, so nothing is ever killed).
 */
export async function sweepStaleRuns(stagingBase: string, cgroupParents: readonly string[]): Promise<void> {
  for (const dir of await staleEntries(stagingBase)) await removeStagingDir(dir).catch(() => undefined);
  for (const parent of cgroupParents) {
    for (const dir of await staleEntries(parent)) await rmdir(dir).catch(() => undefined);
  }
}
