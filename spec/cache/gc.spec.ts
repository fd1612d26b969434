import { expect } from 'chai';
import { chmod, mkdir, readdir, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempFileName } from '../../cache/atomic-file.js';
import { ContentStore } from '../../cache/content-store.js';
import { du, enforceMaxSize, prune, verify } from '../../cache/gc.js';
import { KeyIndex } from '../../cache/key-index.js';
import { acquireGcLock, Lease } from '../../cache/lease.js';
import { currentStamp, formatStamp } from '../../cache/process-stamp.js';
import { openRoot, type RootLayout } from '../../cache/root.js';
import { digestOf, keyOf, makeTempRoot } from './fixtures/temp-root.js';

describe('cache/gc', () => {
  let layout: RootLayout;
  let remove: () => Promise<void>;
  let content: ContentStore;
  let index: KeyIndex;

  beforeEach(async () => {
    ({ layout, remove } = await makeTempRoot());
    content = await ContentStore.open(layout);
    index = new KeyIndex(layout);
  });
  afterEach(() => remove());

  /** A 1 KiB layer blob and its record, last used `ageMinutes` ago. */
  async function cached(name: string, ageMinutes: number): Promise<{ digest: string; key: string }> {
    const { digest } = await content.ingest(Buffer.alloc(1024, name));
    const key = keyOf(name);
    await index.put({ key, layer: { digest, diffId: digestOf(`${name} tar`), size: 1024 }, configChange: null, input: { name } });
    const when = new Date(Date.now() - ageMinutes * 60_000);
    await utimes(index.recordPath(key), when, when);
    await utimes(content.blobPath(digest), when, when);
    return { digest, key };
  }

  async function storedBlobs(): Promise<string[]> {
    const digests: string[] = [];
    for await (const blob of content.list()) digests.push(blob.digest);
    return digests.sort();
  }

  it('du counts blobs, records and temp files', async () => {
    await cached('a', 1);
    await writeFile(join(layout.tmp, 'junk'), 'xyz');
    const usage = await du(layout);
    expect(usage.blobs).to.deep.equal({ files: 1, bytes: 1024 });
    expect(usage.records.files).to.equal(1);
    expect(usage.tmp).to.deep.equal({ files: 1, bytes: 3 });
    expect(usage.statcache.files).to.equal(1); // the blob's verified stamp
    expect(usage.total.bytes).to.equal(1024 + usage.records.bytes + 3 + usage.statcache.bytes);
  });

  it('prune by default removes unreferenced blobs only, and never a kept one', async () => {
    const a = await cached('a', 10);
    const orphan = await content.ingest(Buffer.from('orphan'));
    const image = await content.ingest(Buffer.from('image layer'));
    const report = await prune(layout, { keep: [image.digest] });
    expect(report.removedBlobs).to.deep.equal([orphan.digest]);
    expect(await storedBlobs()).to.deep.equal([a.digest, image.digest].sort());
  });

  it('prune with keepStorage removes least recently used first, never a kept or leased digest', async () => {
    const oldest = await cached('oldest', 50);
    const old = await cached('old', 40);
    const leased = await cached('leased', 30);
    const recent = await cached('recent', 20);
    const newest = await cached('newest', 10);
    const manifest = await content.ingest(Buffer.from('manifest'));
    const lease = await Lease.create(layout);
    await lease.protect([leased.digest]);
    const usage = await du(layout);
    const unitBytes = async (key: string) => 1024 + (await stat(index.recordPath(key))).size;
    // No room for two layers and their records: the manifest keeps `oldest`, the lease keeps `leased`,
    // so the two least recently used of the others go.
    const report = await prune(layout, {
      keepStorage: usage.blobs.bytes + usage.records.bytes - (await unitBytes(old.key)) - (await unitBytes(recent.key)),
      keep: [manifest.digest],
      references: async (digest) => (digest === manifest.digest ? [oldest.digest] : []),
    });
    expect(report.removedBlobs).to.deep.equal([old.digest, recent.digest]);
    expect(report.removedRecords).to.deep.equal([old.key, recent.key]);
    expect(await storedBlobs()).to.deep.equal([oldest.digest, leased.digest, newest.digest, manifest.digest].sort());
    expect(await index.get(old.key)).to.equal(undefined);
    expect(await index.get(newest.key)).to.not.equal(undefined);
    await lease.release();
  });

  it('prune also removes the step pointers of removed records', async () => {
    const { digest } = await content.ingest(Buffer.from('layer'));
    await index.put({ key: keyOf('a'), layer: { digest, diffId: digest, size: 5 }, configChange: null, input: 1, stepIdentity: 'step' });
    await index.put({ key: keyOf('b'), layer: null, configChange: null, input: 2, stepIdentity: 'kept step' });
    await prune(layout, { all: true, keep: [] });
    expect(await index.previousForStep('step')).to.equal(undefined);
    expect((await readdir(join(layout.index, 'steps'), { recursive: true })).filter((name) => name.endsWith('.json'))).to.deep.equal([]);
    await index.put({ key: keyOf('c'), layer: null, configChange: null, input: 3, stepIdentity: 'kept step' });
    await prune(layout);
    expect((await index.previousForStep('kept step'))?.key).to.equal(keyOf('c'));
  });

  /** A RUN cache mount folder with one 100-byte file, as the RUN step leaves it. */
  async function cacheMount(): Promise<string> {
    const folder = join(layout.state, 'run-cache-v1', 'a'.repeat(64), '0');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'downloaded'), Buffer.alloc(100));
    return folder;
  }

  it('du counts step state (RUN cache mounts) as its own kind, in the total', async () => {
    await cacheMount();
    const usage = await du(layout);
    expect(usage.state).to.deep.equal({ files: 1, bytes: 100 });
    expect(usage.total.bytes).to.equal(usage.records.bytes + 100);
  });

  it('prune --all removes RUN cache mounts, as BuildKit does; plain prune and until keep them', async () => {
    const folder = await cacheMount();
    expect((await prune(layout)).removedStateBytes).to.equal(0);
    expect((await prune(layout, { until: 0 })).removedStateBytes).to.equal(0);
    expect((await stat(folder)).isDirectory()).to.equal(true);
    const report = await prune(layout, { all: true });
    expect(report).to.deep.include({ removedStateBytes: 100, stateInUse: false });
    expect(report.reclaimedBytes).to.be.at.least(100);
    expect(await readdir(layout.state)).to.deep.equal([]);
  });

  it('prune --all keeps RUN cache mounts while a build runs on the root', async () => {
    const folder = await cacheMount();
    const lease = await Lease.create(layout);
    try {
      expect(await prune(layout, { all: true })).to.deep.include({ removedStateBytes: 0, stateInUse: true });
      expect((await stat(folder)).isDirectory()).to.equal(true);
    } finally {
      await lease.release();
    }
    expect((await prune(layout, { all: true })).removedStateBytes).to.equal(100);
  });

  it('prune with until and with all', async () => {
    const stale = await cached('stale', 120);
    const fresh = await cached('fresh', 1);
    expect((await prune(layout, { until: 3600_000 })).removedBlobs).to.deep.equal([stale.digest]);
    expect((await prune(layout, { all: true })).removedBlobs).to.deep.equal([fresh.digest]);
    expect(await storedBlobs()).to.deep.equal([]);
  });

  it('a touched record counts as recently used', async () => {
    const a = await cached('a', 60);
    const b = await cached('b', 30);
    await index.touch(a.key);
    const usage = await du(layout);
    await prune(layout, { keepStorage: usage.blobs.bytes + usage.records.bytes - 1 });
    expect(await storedBlobs()).to.deep.equal([a.digest]);
    expect(b).to.not.equal(undefined);
  });

  it('enforceMaxSize prunes only when over the cap', async () => {
    await cached('a', 20);
    const b = await cached('b', 10);
    expect(await enforceMaxSize(layout, 1 << 20)).to.equal(undefined);
    await enforceMaxSize(layout, 1500);
    expect(await storedBlobs()).to.deep.equal([b.digest]);
  });

  it('verify re-hashes blobs, drops bad ones and the records that can no longer be used, and cleans tmp', async () => {
    const good = await cached('good', 1);
    const bad = await cached('bad', 1);
    const damaged = await cached('damaged', 1);
    await chmod(content.blobPath(bad.digest), 0o644);
    await writeFile(content.blobPath(bad.digest), Buffer.alloc(1024, 'x'));
    await truncate(index.recordPath(damaged.key), 10);
    const deadWriter = formatStamp({ ...currentStamp(), start: '1' });
    await writeFile(join(layout.tmp, `${deadWriter}.0123456789ab.tmp`), 'half a blob');
    const mine = join(layout.tmp, tempFileName());
    await writeFile(mine, 'being written');
    const report = await verify(layout);
    expect(report.blobsChecked).to.equal(3);
    expect(report.badBlobs).to.deep.equal([bad.digest]);
    expect(report.droppedRecords.map((r) => r.key).sort()).to.deep.equal([bad.key, damaged.key].sort());
    expect(report.removedTempFiles).to.equal(1);
    expect(await readdir(layout.tmp)).to.deep.equal([mine.split('/').pop()]);
    expect(await index.get(good.key)).to.not.equal(undefined);
    const again = await verify(layout);
    expect(again.badBlobs).to.deep.equal([]);
    expect(again.droppedRecords).to.deep.equal([]);
  });

  it('verify removes old temp files of writers it cannot judge, but not young ones', async () => {
    const foreign = formatStamp({ ...currentStamp(), pidns: '1' });
    const oldFile = join(layout.tmp, `${foreign}.0123456789ab.tmp`);
    const youngFile = join(layout.tmp, `${foreign}.ba9876543210.tmp`);
    await writeFile(oldFile, 'x');
    await writeFile(youngFile, 'y');
    const long = new Date(Date.now() - 2 * 3600_000);
    await utimes(oldFile, long, long);
    expect((await verify(layout)).removedTempFiles).to.equal(1);
    expect(await readdir(layout.tmp)).to.deep.equal([youngFile.split('/').pop()]);
  });

  it('openRoot removes temp files of dead writers at startup', async () => {
    const dead = formatStamp({ ...currentStamp(), start: '1' });
    await writeFile(join(layout.tmp, `${dead}.0123456789ab.tmp`), 'x');
    await openRoot(layout);
    expect(await readdir(layout.tmp)).to.deep.equal([]);
  });

  it('prune waits for another GC and can time out', async () => {
    const other = await acquireGcLock(layout);
    const error = await prune(layout, { lockTimeoutMs: 50 }).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('code', 'E_STORE');
    await other.release();
    await prune(layout);
  });
});
