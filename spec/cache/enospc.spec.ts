// A full disk for real: the root on a small tmpfs. Needs root (mount), hence [root].
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, rmdir, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentStore } from '../../cache/content-store.js';
import { verify } from '../../cache/gc.js';
import { KeyIndex } from '../../cache/key-index.js';
import { openRoot, rootLayout, type RootLayout } from '../../cache/root.js';
import { TsbuildError } from '../../lib/errors.js';
import { blobBytes, blobDigest } from './fixtures/blob-content.js';
import { keyOf } from './fixtures/temp-root.js';

async function freeBytes(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}

describe('cache: a full disk', () => {
  let mountPoint: string;
  let layout: RootLayout;

  beforeEach(async function () {
    if (process.getuid?.() !== 0) this.skip();
    mountPoint = await mkdtemp(join(tmpdir(), 'tsbuild-enospc-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountPoint]);
    layout = rootLayout(join(mountPoint, 'root'));
    await openRoot(layout);
  });
  afterEach(async () => {
    if (mountPoint === undefined) return;
    execFileSync('umount', [mountPoint]);
    await rmdir(mountPoint);
  });

  it('[root] fails an ingest with a clear E_STORE error; everything stored before still verifies; freeing space lets it succeed', async () => {
    const content = await ContentStore.open(layout);
    const index = new KeyIndex(layout);
    const stored = [];
    for (let n = 0; n < 3; n++) {
      const { digest, size } = await content.ingest(blobBytes(`before-${n}`, 500_000));
      await index.put({ key: keyOf(`before-${n}`), layer: { digest, diffId: digest, size }, configChange: null, input: n });
      stored.push(digest);
    }
    const error = await content.ingest(blobBytes('too-big', 3 << 20)).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(TsbuildError);
    expect(error).to.have.property('code', 'E_STORE');
    expect((error as Error).message).to.match(/no space left on device/);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).to.equal('ENOSPC');
    expect(await content.has(blobDigest('too-big', 3 << 20))).to.equal(false);
    expect(await readdir(layout.tmp), 'the failed temp file is removed').to.deep.equal([]);
    for (const digest of stored) expect(await content.readVerified(digest)).to.have.length(500_000);
    const filler = await content.ingest(blobBytes('filler', 4 << 20)).then(() => undefined, (e: unknown) => e);
    expect(filler).to.have.property('code', 'E_STORE');
    // A few pages stay free: the verify below takes its lock file and writes blob hash stamps (one
    // tmpfs page each); the 64 KiB record write still cannot fit.
    await content.ingest(blobBytes('fill-the-rest', (await freeBytes(mountPoint)) - (16 << 10))).catch(() => undefined);
    const recordError = await index.put({ key: keyOf('after'), layer: null, configChange: 'x'.repeat(64 << 10), input: null }).then(() => undefined, (e: unknown) => e);
    expect(recordError, 'a record write on a full disk').to.have.property('code', 'E_STORE');
    expect((recordError as Error).message).to.match(/no space left on device/);
    expect(await index.get(keyOf('before-0'))).to.not.equal(undefined);
    const report = await verify(layout);
    expect(report.badBlobs).to.deep.equal([]);
    expect(report.droppedRecords).to.deep.equal([]);
    for await (const blob of content.list()) if (!stored.includes(blob.digest)) await content.delete(blob.digest);
    for (const digest of stored) await content.delete(digest);
    expect((await content.ingest(blobBytes('too-big', 3 << 20))).digest).to.equal(blobDigest('too-big', 3 << 20));
    await rm(join(layout.root), { recursive: true, force: true });
  });
});
