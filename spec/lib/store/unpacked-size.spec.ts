// Docker's image Size counts what layers take unpacked: regular file contents and symlink target
// lengths, each inode once (hard links add nothing), folders, devices, FIFOs and whiteouts nothing.
// Expected values from dockerd 26 (overlay2): `docker inspect -f {{.Size}}` of localhost/busybox:test
// is 1984241 = 1982365 bytes in its 3 files + 1876 bytes of its 268 symlink targets.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootFolders, rootLayout } from '../../../cache/root.js';
import { ContentStore } from '../../../cache/content-store.js';
import { unpackedLayerSize, unpackedLayerSizes } from '../../../lib/store/unpacked-size.js';
import { mkTar } from '../../support/mk-tar.js';

describe('lib/store unpacked layer size (Docker Size)', () => {
  let dir: string;
  let content: ContentStore;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-size-'));
    const layout = rootLayout(join(dir, 'root'));
    await createRootFolders(layout);
    content = await ContentStore.open(layout);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function stored(tar: Buffer): Promise<{ digest: string; diffId: string; size: number }> {
    const blob = await content.ingest(tar);
    return { digest: blob.digest, diffId: blob.digest, size: blob.size };
  }

  it('adds file contents and symlink targets; folders, hard links, devices, FIFOs and whiteouts add nothing', async () => {
    const layer = await stored(mkTar([
      { name: 'bin/', type: 'dir' },
      { name: 'bin/busybox', data: 'x'.repeat(1000) },
      { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
      { name: 'bin/ash', type: 'link', linkname: 'bin/busybox' },
      { name: 'dev/', type: 'dir' },
      { name: 'dev/null', type: 'char' },
      { name: 'run.fifo', type: 'fifo' },
      { name: 'etc/', type: 'dir' },
      { name: 'etc/.wh.old', data: '' },
      { name: 'etc/hosts', data: '127.0.0.1 localhost\n' },
    ]));
    expect(await unpackedLayerSize(content, layer)).to.equal(1000 + 'busybox'.length + 20);
    expect(layer.size).to.be.greaterThan(4000); // the tar bytes, which Docker does not show
  });

  it('counts each layer on its own, so a file replaced later counts twice', async () => {
    const first = await stored(mkTar([{ name: 'a', data: 'one\n' }]));
    const second = await stored(mkTar([{ name: 'a', data: 'second\n' }, { name: 'b', type: 'symlink', linkname: '/a' }]));
    expect(await unpackedLayerSizes(content, [first, second])).to.deep.equal([4, 9]);
  });
});
