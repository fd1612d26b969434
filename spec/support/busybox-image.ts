// `localhost/busybox:test` in a root: the static busybox rootfs (busybox-rootfs.ts), tarred
// reproducibly (sorted names, zero times, numeric root owners) and imported like `docker import`.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootFolders, rootLayout } from '../../cache/root.js';
import { ImageStore, type StoredImage } from '../../lib/store/image-store.js';
import { importRootfs } from '../../lib/store/import-rootfs.js';
import { makeBusyboxRootfs } from './busybox-rootfs.js';

export const BUSYBOX_TAG = 'localhost/busybox:test';

/** Writes the busybox rootfs as a tar file at `tarPath` (same bytes every time on one host). */
export async function makeBusyboxTar(tarPath: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-busybox-'));
  try {
    await makeBusyboxRootfs(dir);
    execFileSync('tar', ['-C', dir, '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', tarPath, '.']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Imports busybox into the root at `rootDir` (created if needed) as `localhost/busybox:test`. */
export async function importBusybox(rootDir: string): Promise<StoredImage> {
  const layout = rootLayout(rootDir);
  await createRootFolders(layout);
  const work = await mkdtemp(join(tmpdir(), 'tsbuild-busybox-tar-'));
  try {
    const tar = join(work, 'busybox.tar');
    await makeBusyboxTar(tar);
    return await importRootfs(await ImageStore.open(layout), tar, { name: BUSYBOX_TAG, changes: ['CMD ["sh"]'] });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
