// Removing unpacked snapshots. They are a pure cache of layer blobs (any of them can be unpacked
// again), so prune may remove every snapshot no running build uses. Builds name the chain IDs they
// use in their lease before they read a snapshot (SnapshotStore.ensure), and wait while a GC holds
// the lock; this runs under the same GC lock, so a snapshot is never removed under a build.
// Debris of interrupted unpacks (`<chain>.tmp-<random>` folders) goes too.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireGcLock, readLeasedDigests } from '../cache/lease.js';
import type { RootLayout } from '../cache/root.js';

export interface SnapshotPruneOptions {
  /** Keep snapshots used within this many milliseconds (by folder mtime); default: remove all unused. */
  readonly keepRecentMs?: number;
  readonly lockTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface SnapshotPruneReport {
  /** Chain IDs whose snapshot folders were removed. */
  readonly removed: string[];
  /** Leftover temporary folders of interrupted unpacks that were removed. */
  readonly removedDebris: number;
}

const CHAIN_NAME = /^[a-f0-9]{64}$/;
const DEBRIS_NAME = /^[a-f0-9]{64}\.tmp-[a-f0-9]+$/;

export async function pruneSnapshots(layout: Pick<RootLayout, 'snapshots' | 'leases' | 'locks' | 'tmp'>, options: SnapshotPruneOptions = {}): Promise<SnapshotPruneReport> {
  const lock = await acquireGcLock(layout, { ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  try {
    const leased = await readLeasedDigests(layout);
    const names = await readdir(layout.snapshots).catch(() => [] as string[]);
    const removed: string[] = [];
    let removedDebris = 0;
    for (const name of names) {
      const path = join(layout.snapshots, name);
      if (DEBRIS_NAME.test(name)) {
        // A live unpack's temp folder belongs to a build whose lease names the chain.
        if (leased.has(`sha256:${name.slice(0, 64)}`)) continue;
        await rm(path, { recursive: true, force: true });
        removedDebris++;
        continue;
      }
      if (!CHAIN_NAME.test(name) || leased.has(`sha256:${name}`) || (await recentlyUsed(path, options.keepRecentMs))) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(`sha256:${name}`);
    }
    return { removed, removedDebris };
  } finally {
    await lock.release();
  }
}

async function recentlyUsed(path: string, keepRecentMs: number | undefined): Promise<boolean> {
  if (keepRecentMs === undefined) return false;
  const stats = await lstat(path).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs < keepRecentMs;
}
