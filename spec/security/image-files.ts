// What a stored image holds at a path: the topmost layer that has an entry there decides
// (whiteouts are not interpreted; the specs that need the merged view run a RUN step instead).
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentStore } from '../../cache/content-store.js';
import { SnapshotStore } from '../../executor/snapshot-store.js';
import { ImageStore } from '../../lib/store/image-store.js';
import type { BuildFixture } from '../lib/build-fixtures.js';

export type ImageEntry = { kind: 'file'; text: string } | { kind: 'symlink'; target: string } | { kind: 'dir' } | { kind: 'other' };

export async function imageEntry(fixture: BuildFixture, reference: string, path: string): Promise<ImageEntry | undefined> {
  const image = await (await ImageStore.open(fixture.layout)).resolve(reference);
  const snapshots = new SnapshotStore(fixture.layout, await ContentStore.open(fixture.layout));
  for (const tree of await snapshots.ensure(image.layers)) {
    const full = join(tree, path);
    const info = await lstat(full).catch(() => undefined);
    if (info === undefined) continue;
    if (info.isSymbolicLink()) return { kind: 'symlink', target: await readlink(full) };
    if (info.isFile()) return { kind: 'file', text: await readFile(full, 'utf8') };
    return info.isDirectory() ? { kind: 'dir' } : { kind: 'other' };
  }
  return undefined;
}
