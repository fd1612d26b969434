// Leftovers in the root's tmp/ folder: temp files of writers that died (kill -9, power loss)
// and blobs moved aside for removal. Every name made by `tempFileName()` carries its writer's
// stamp, so the next run can remove exactly the files whose writer is provably dead without
// touching the work of live processes. Names without a stamp, or of writers this process
// cannot judge (another pid namespace), are only removed once they are old.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempFileOwner } from './atomic-file.js';
import { ownerState } from './process-stamp.js';
import { detachMountsBelow } from './stale-mounts.js';

export interface TempCleanupOptions {
  /** Also remove entries not modified for this long, unless their writer is provably alive. */
  readonly maxAgeMs?: number;
}

export interface TempCleanupReport {
  readonly removed: number;
  readonly bytes: number;
}

/** Default age after which prune and verify treat an unjudgeable temp file as abandoned. */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

export async function removeStaleTempFiles(tmpDir: string, options: TempCleanupOptions = {}): Promise<TempCleanupReport> {
  let removed = 0;
  let bytes = 0;
  const names = await readdir(tmpDir).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(tmpDir, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats === undefined || !isStale(path, stats.mtimeMs, options)) continue;
    // Never remove recursively through a mount a killed build left (its overlay, a RUN bind).
    if (stats.isDirectory() && !(await detachMountsBelow(path))) continue;
    await rm(path, { recursive: true, force: true });
    removed++;
    bytes += stats.size;
  }
  return { removed, bytes };
}

function isStale(path: string, mtimeMs: number, options: TempCleanupOptions): boolean {
  const owner = tempFileOwner(path);
  const state = owner === undefined ? 'unknown' : ownerState(owner);
  if (state === 'dead') return true;
  if (state === 'alive' || options.maxAgeMs === undefined) return false;
  return Date.now() - mtimeMs > options.maxAgeMs;
}
