// Real processes sharing one root: concurrent ingests and record writes, SIGKILL at every
// failpoint and at random moments, stale locks of killed holders, and prune racing ingest.
import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContentStore } from '../../cache/content-store.js';
import { FAILPOINT_NAMES } from '../../cache/failpoints.js';
import { verify } from '../../cache/gc.js';
import { KeyIndex } from '../../cache/key-index.js';
import { openRoot, type RootLayout } from '../../cache/root.js';
import { blobBytes, blobDigest } from './fixtures/blob-content.js';
import { runWorker, startWorker, type WorkerResult } from './fixtures/spawn-worker.js';
import { keyOf, makeTempRoot } from './fixtures/temp-root.js';
import type { WorkerOp } from './fixtures/store-worker.js';

function expectSuccess(result: WorkerResult): void {
  expect(result.stderr, 'worker stderr').to.equal('');
  expect(result.code, 'worker exit code').to.equal(0);
}

/** The store is whole: every blob hashes right, every record's blob exists, nothing left over. */
async function expectVerifiesClean(layout: RootLayout): Promise<void> {
  const report = await verify(layout);
  expect(report.badBlobs, 'bad blobs').to.deep.equal([]);
  expect(report.droppedRecords, 'dropped records').to.deep.equal([]);
  expect(await readdir(layout.tmp), 'tmp/').to.deep.equal([]);
  expect(await readdir(layout.leases), 'leases/').to.deep.equal([]);
}

describe('cache: several processes sharing one root', function () {
  this.timeout(120_000);
  let layout: RootLayout;
  let remove: () => Promise<void>;

  beforeEach(async () => ({ layout, remove } = await makeTempRoot('tsbuild-multi-')));
  afterEach(() => remove());

  it('six processes ingesting the same and different blobs and writing the same keys all succeed', async () => {
    const shared: WorkerOp[] = [
      { ingest: { seed: 'shared-big', size: 4 << 20, stream: true } },
      { put: { name: 'shared-step-1', seed: 'shared-layer-1', size: 300_000 } },
      { put: { name: 'shared-step-2', seed: 'shared-layer-2', size: 1000 } },
      { ingest: { seed: 'shared-small', size: 10 } },
    ];
    const workers = Array.from({ length: 6 }, (_, n) => runWorker(layout.root, [
      ...(n % 2 === 0 ? shared : [...shared].reverse()),
      { ingest: { seed: `own-${n}`, size: 200_000 + n } },
      { put: { name: `own-step-${n}`, seed: `own-layer-${n}`, size: 5000 } },
    ]));
    const results = await Promise.all(workers);
    results.forEach(expectSuccess);
    const content = await ContentStore.open(layout);
    for (const [seed, size] of [['shared-big', 4 << 20], ['shared-layer-1', 300_000], ['own-3', 200_003]] as const) {
      expect(await content.readVerified(blobDigest(seed, size))).to.deep.equal(blobBytes(seed, size));
    }
    const index = new KeyIndex(layout);
    expect((await index.get(keyOf('shared-step-1')))?.layer?.digest).to.equal(blobDigest('shared-layer-1', 300_000));
    await expectVerifiesClean(layout);
    expect((await verify(layout)).blobsChecked).to.equal(4 + 6 * 2);
  });

  for (const failpoint of FAILPOINT_NAMES.filter((name) => !name.startsWith('atomic.') && name !== 'gc.midSweep')) {
    it(`a process killed at ${failpoint} leaves a root the next process uses, and verify finds nothing bad`, async () => {
      const ops: WorkerOp[] = [{ put: { name: 'step', seed: 'layer', size: 3 << 20 } }];
      const killed = await runWorker(layout.root, ops, { failpoints: `${failpoint}=kill` });
      expect(killed.signal, killed.stderr).to.equal('SIGKILL');
      // Nothing half-written is visible: the blob and the record are absent or whole.
      const content = await ContentStore.open(layout);
      expect(await content.verifyBlob(blobDigest('layer', 3 << 20))).to.be.oneOf(['ok', 'missing']);
      const warnings: string[] = [];
      await new KeyIndex(layout, { onWarning: (w) => warnings.push(w) }).get(keyOf('step'));
      expect(warnings).to.deep.equal([]);
      const leftovers = await readdir(layout.tmp);
      if (failpoint === 'content.afterWrite' || failpoint.endsWith('beforeRename')) expect(leftovers, 'the killed writer\'s temp file').to.have.length(1);
      expectSuccess(await runWorker(layout.root, ops));
      expect(await readdir(layout.tmp), 'temp files of the dead writer, removed at the next start').to.deep.equal([]);
      expect((await new KeyIndex(layout).get(keyOf('step')))?.layer?.digest).to.equal(blobDigest('layer', 3 << 20));
      await expectVerifiesClean(layout);
    });
  }

  it('a prune killed mid-sweep leaves no record pointing to a missing blob', async () => {
    const ops: WorkerOp[] = Array.from({ length: 5 }, (_, n) => ({ put: { name: `s${n}`, seed: `l${n}`, size: 1000 } }));
    expectSuccess(await runWorker(layout.root, ops));
    const killed = await runWorker(layout.root, [{ prune: { all: true, rounds: 1 } }], { failpoints: 'gc.midSweep=kill' });
    expect(killed.signal).to.equal('SIGKILL');
    await openRoot(layout);
    await expectVerifiesClean(layout);
  });

  it('a process killed at a random moment of a streaming ingest never leaves a bad blob', async () => {
    const size = 24 << 20;
    for (let run = 0; run < 6; run++) {
      const worker = startWorker(layout.root, [{ ingest: { seed: 'big', size, stream: true } }]);
      await sleep(20 + Math.random() * 400);
      worker.child.kill('SIGKILL');
      const result = await worker.done;
      expect(result.signal === 'SIGKILL' || result.code === 0, result.stderr).to.equal(true);
      const content = await ContentStore.open(layout);
      expect(await content.verifyBlob(blobDigest('big', size))).to.be.oneOf(['ok', 'missing']);
      await content.delete(blobDigest('big', size));
    }
    expectSuccess(await runWorker(layout.root, [{ ingest: { seed: 'big', size, stream: true } }]));
    await expectVerifiesClean(layout);
  });

  it('the building lock of a killed holder is taken over by the next process', async () => {
    const holder = startWorker(layout.root, [{ holdKeyLock: { name: 'k', ms: 60_000 } }]);
    await holder.firstLine;
    const index = new KeyIndex(layout);
    expect(await index.tryLockForBuilding(keyOf('k'))).to.equal(undefined);
    holder.child.kill('SIGKILL');
    await holder.done;
    const lock = await index.lockForBuilding(keyOf('k'), { timeoutMs: 5000 });
    await lock.release();
  });

  it('concurrent lock holders in several processes never overlap', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => runWorker(layout.root, [{ holdKeyLock: { name: 'k', ms: 150 } }])));
    results.forEach(expectSuccess);
    const held = results.map((r) => r.lines[1] as { lockedAt: number; releasedAt: number }).sort((a, b) => a.lockedAt - b.lockedAt);
    for (let n = 1; n < held.length; n++) expect(held[n]!.lockedAt, 'taken before the previous holder released it').to.be.at.least(held[n - 1]!.releasedAt);
  });

  it('a prune running concurrently never deletes a blob an ingest protects with its lease', async () => {
    const seeds = Array.from({ length: 10 }, (_, n) => `racy-${n}`);
    // Orphans: blobs prune wants to remove, which the ingests below store again (dedup path).
    expectSuccess(await runWorker(layout.root, [{ ingest: { seed: 'racy-0', size: 50_000 } }, { ingest: { seed: 'racy-1', size: 50_000 } }]));
    const [ingester, pruner] = await Promise.all([
      runWorker(layout.root, [{ ingestAndRead: { seeds, size: 50_000, rounds: 8 } }]),
      runWorker(layout.root, [{ prune: { all: true, rounds: 40 } }]),
    ]);
    expectSuccess(ingester);
    expectSuccess(pruner);
    expect(ingester.lines).to.deep.equal([{ reads: 80 }]);
    await expectVerifiesClean(layout);
  });
});
