import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { createRootFolders, rootLayout } from '../../../cache/root.js';
import { writeRootfsDir, writeRootfsTar } from '../../../lib/export/rootfs-export.js';
import { imageConfig } from '../../../lib/image/config.js';
import { ImageStore, type StoredImage } from '../../../lib/store/image-store.js';
import { mkTar, type TarFixtureEntry } from '../../support/mk-tar.js';

const run = promisify(execFile);

describe('lib/export rootfs outputs (type=local, type=tar)', () => {
  let dir: string;
  let store: ImageStore;
  let image: StoredImage;

  async function imageOf(layers: readonly (readonly TarFixtureEntry[])[]): Promise<StoredImage> {
    const refs = [];
    for (const entries of layers) {
      const blob = await store.content.ingest(mkTar(entries));
      refs.push({ digest: blob.digest, diffId: blob.digest, size: blob.size });
    }
    const config = imageConfig({ config: {}, diffIds: refs.map((ref) => ref.diffId), history: [], platform: { os: 'linux', architecture: 'amd64' } });
    return store.commitImage(config, refs);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-rootfs-export-'));
    const layout = rootLayout(join(dir, 'root'));
    await createRootFolders(layout);
    store = await ImageStore.open(layout);
    image = await imageOf([
      [
        { name: 'etc/', type: 'dir' },
        { name: 'etc/gone', data: 'old' },
        { name: 'etc/kept', data: 'kept' },
        { name: 'opaque/', type: 'dir' },
        { name: 'opaque/old', data: 'old' },
        { name: 'link', type: 'symlink', linkname: '../../../outside' },
      ],
      [
        { name: 'etc/.wh.gone', data: '' },
        { name: 'opaque/', type: 'dir' },
        { name: 'opaque/.wh..wh..opq', data: '' },
        { name: 'opaque/new', data: 'new', mtime: 2_000_000_000 },
      ],
    ]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('type=local: layers applied in order, whiteouts and opaque folders honoured, symlink targets verbatim', async () => {
    const dest = join(dir, 'local');
    await writeRootfsDir(store, image, dest);
    expect(await readdir(join(dest, 'etc'))).to.deep.equal(['kept']);
    expect(await readdir(join(dest, 'opaque'))).to.deep.equal(['new']);
    expect(await readlink(join(dest, 'link'))).to.equal('../../../outside');
  });

  it('type=local into a folder holding a symlink to the outside writes inside the folder only', async () => {
    const dest = join(dir, 'local-hostile');
    const outside = join(dir, 'outside-target');
    await mkdir(dest);
    await mkdir(outside);
    await symlink(outside, join(dest, 'etc'));
    await writeRootfsDir(store, image, dest);
    expect(await readdir(outside)).to.deep.equal([]);
    // The layer's folder entry replaces the symlink; nothing follows it out.
    expect((await lstat(join(dest, 'etc'))).isDirectory()).to.equal(true);
    expect(await readFile(join(dest, 'etc', 'kept'), 'utf8')).to.equal('kept');
  });

  it('type=tar: the merged tree, sorted, with mtimes clamped to SOURCE_DATE_EPOCH', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    await writeRootfsTar(store, image, sink, { sourceDateEpoch: 1_700_000_000 });
    const file = join(dir, 'fs.tar');
    await writeFile(file, Buffer.concat(chunks));
    const { stdout } = await run('tar', ['--full-time', '-tvf', file], { env: { TZ: 'UTC' } });
    const names = stdout.trim().split('\n').map((line) => line.split(/\s+/).slice(5).join(' '));
    expect(names).to.deep.equal(['etc/', 'etc/kept', 'link -> ../../../outside', 'opaque/', 'opaque/new']);
    expect(stdout).to.match(/2023-11-14 22:13:20 opaque\/new/);
    expect(stdout).to.not.match(/2033-/);
  });
});
