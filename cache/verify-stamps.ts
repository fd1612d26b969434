// Which blobs are known good as they sit on disk, so that a cache hit need not re-hash its layer
// (a 512 MiB layer took seconds on every no-op rebuild). A stamp is the blob file's inode, size,
// mtime and ctime when it was last hashed here; any write to the file, including one that keeps
// its size and mtime, changes its ctime, so a damaged or replaced blob no longer matches and is
// hashed again. Stamps are hints, like the context stat cache: a missing, stale or unreadable one
// only means the blob is hashed again; they never make a blob count as good without a hash.
// Layout: `statcache-v1/blobs/<hex>` holding the stamp text (next to the context stat cache).
import type { BigIntStats } from 'node:fs';
import { lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function stampOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

export class VerifiedStamps {
  constructor(private readonly folder: string) {}

  /** The blob's current stamp (taken before hashing it), or undefined when it is absent. */
  async current(blobPath: string): Promise<string | undefined> {
    const stats = await lstat(blobPath, { bigint: true }).catch(() => undefined);
    return stats?.isFile() ? stampOf(stats) : undefined;
  }

  async matches(hex: string, stamp: string): Promise<boolean> {
    return (await readFile(join(this.folder, hex), 'utf8').catch(() => undefined)) === stamp;
  }

  /** Records that the blob hashed right with this stamp; failures are ignored (it is a hint). */
  async record(hex: string, stamp: string | undefined): Promise<void> {
    if (stamp === undefined) return;
    await mkdir(this.folder, { recursive: true, mode: 0o700 })
      .then(() => writeFile(join(this.folder, hex), stamp, { mode: 0o600 }))
      .catch(() => undefined);
  }

  async forget(hex: string): Promise<void> {
    await unlink(join(this.folder, hex)).catch(() => undefined);
  }
}
