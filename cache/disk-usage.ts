// Space used under the root, by kind. Apparent sizes (st_size), as `docker system df` reports,
// summed over regular files; symlinks are counted, never followed.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RootLayout } from './root.js';

export interface Usage {
  readonly files: number;
  readonly bytes: number;
}

export interface DiskUsage {
  readonly blobs: Usage;
  readonly records: Usage;
  readonly tmp: Usage;
  readonly snapshots: Usage;
  readonly images: Usage;
  readonly containers: Usage;
  readonly statcache: Usage;
  /** RUN cache mounts and other step state. */
  readonly state: Usage;
  /** Locks and leases. */
  readonly coordination: Usage;
  readonly total: Usage;
}

export async function diskUsage(layout: RootLayout): Promise<DiskUsage> {
  const [blobs, records, tmp, snapshots, images, containers, statcache, state, locks, leases] = await Promise.all(
    [layout.content, layout.index, layout.tmp, layout.snapshots, layout.images, layout.containers, layout.statcache, layout.state, layout.locks, layout.leases].map(folderUsage),
  );
  const coordination = add(locks!, leases!);
  const total = [blobs!, records!, tmp!, snapshots!, images!, containers!, statcache!, state!, coordination].reduce(add);
  return { blobs: blobs!, records: records!, tmp: tmp!, snapshots: snapshots!, images: images!, containers: containers!, statcache: statcache!, state: state!, coordination, total };
}

/** Files and bytes under `folder` (0 when it does not exist). Iterative: deep trees cannot overflow the stack. */
export async function folderUsage(folder: string): Promise<Usage> {
  let files = 0;
  let bytes = 0;
  const pending = [folder];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
        continue;
      }
      const stats = await lstat(path).catch(() => undefined);
      if (stats === undefined) continue;
      files++;
      bytes += stats.size;
    }
  }
  return { files, bytes };
}

function add(a: Usage, b: Usage): Usage {
  return { files: a.files + b.files, bytes: a.bytes + b.bytes };
}
