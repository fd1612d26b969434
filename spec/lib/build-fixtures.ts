// A root in a temp folder holding `busybox:test` (the static busybox rootfs imported as an image),
// a context folder, and ways to look at what a build left: files of an image, mounts, temp files.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentStore } from '../../cache/content-store.js';
import { rootLayout, type RootLayout } from '../../cache/root.js';
import { createRootFolders } from '../../cache/root.js';
import { SnapshotStore } from '../../executor/snapshot-store.js';
import { importRootfs } from '../../lib/store/import-rootfs.js';
import { ImageStore, type StoredImage } from '../../lib/store/image-store.js';
import { makeBusyboxRootfs } from '../support/busybox-rootfs.js';

export interface BuildFixture {
  readonly dir: string;
  readonly root: string;
  readonly layout: RootLayout;
  readonly context: string;
  readonly busybox: StoredImage;
  dispose(): Promise<void>;
}

export async function makeBuildFixture(): Promise<BuildFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-build-'));
  const layout = rootLayout(join(dir, 'root'));
  await createRootFolders(layout);
  const rootfs = join(dir, 'busybox');
  await mkdir(rootfs);
  await makeBusyboxRootfs(rootfs);
  const tar = join(dir, 'busybox.tar');
  execFileSync('tar', ['-C', rootfs, '--numeric-owner', '-cf', tar, '.']);
  const busybox = await importRootfs(await ImageStore.open(layout), tar, { name: 'busybox:test' });
  await rm(rootfs, { recursive: true, force: true });
  const context = join(dir, 'context');
  await mkdir(context);
  return { dir, root: layout.root, layout, context, busybox, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** A file of a stored image, read through its unpacked layers (topmost wins). */
export async function readImageFile(fixture: BuildFixture, reference: string, path: string): Promise<string | undefined> {
  const store = await ImageStore.open(fixture.layout);
  const image = await store.resolve(reference);
  const snapshots = new SnapshotStore(fixture.layout, await ContentStore.open(fixture.layout));
  for (const tree of await snapshots.ensure(image.layers)) {
    const text = await readFile(join(tree, path), 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}

export async function storedImage(fixture: BuildFixture, reference: string): Promise<StoredImage> {
  return (await ImageStore.open(fixture.layout)).resolve(reference);
}

/** Mounts under the fixture folder and entries in the root's tmp/: a finished build leaves none. */
export async function leftovers(fixture: BuildFixture): Promise<{ mounts: string[]; temp: string[] }> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return { mounts: mountinfo.split('\n').filter((line) => line.includes(fixture.dir)), temp: await readdir(fixture.layout.tmp) };
}
