// The snapshot store: chain IDs, unpacking once per chain (also across store instances, as two
// processes sharing a root would), leases, compressed base layers, damaged blobs, and a step's
// rootfs turned into a layer.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ContentStore } from '../../cache/content-store.js';
import type { LayerRef } from '../../cache/key-index.js';
import { Lease } from '../../cache/lease.js';
import { createRootFolders, rootLayout, type RootLayout } from '../../cache/root.js';
import { pruneSnapshots } from '../../executor/snapshot-prune.js';
import { applyLayer } from '../../executor/snapshot/index.js';
import { chainIds, SnapshotStore } from '../../executor/snapshot-store.js';
import { mkTar } from '../support/mk-tar.js';

const EMPTY_TAR = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

/** Entries below `root` with type, owner, mode (whiteout devices: only their kind) and, for files, mtime. */
async function listing(root: string): Promise<string[]> {
  const lines: string[] = [];
  for (const name of (await readdir(root, { recursive: true })).sort()) {
    const info = await lstat(join(root, name));
    const whiteout = info.isCharacterDevice() && info.rdev === 0;
    lines.push(whiteout ? `${name} whiteout` : `${name} ${info.mode.toString(8)} ${info.uid}:${info.gid} ${info.isFile() ? info.mtimeMs : ''}`);
  }
  return lines;
}

function sha(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

describe('executor/snapshot-store', function () {
  this.timeout(60000);
  let dir: string;
  let layout: RootLayout;
  let content: ContentStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-snapshots-'));
    layout = rootLayout(join(dir, 'root'));
    await createRootFolders(layout);
    content = await ContentStore.open(layout);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function storeLayer(entries: Parameters<typeof mkTar>[0], gzip = false): Promise<LayerRef> {
    const tar = mkTar(entries);
    const bytes = gzip ? gzipSync(tar) : tar;
    const blob = await content.ingest(bytes);
    return { digest: blob.digest, diffId: sha(tar), size: blob.size };
  }

  it('computes OCI chain IDs: the first is the DiffID, then sha256 of "parent diffId"', () => {
    const a = sha('a');
    const b = sha('b');
    const layers = [{ digest: a, diffId: a, size: 1 }, { digest: b, diffId: b, size: 1 }];
    expect(chainIds(layers)).to.deep.equal([a, sha(`${a} ${b}`)]);
    expect(chainIds([])).to.deep.equal([]);
  });

  it('unpacks each chain once into its own folder and lists the trees topmost first', async () => {
    const base = await storeLayer([{ name: 'a', data: 'base' }, { name: 'keep', data: 'k' }]);
    const top = await storeLayer([{ name: 'a', data: 'top' }]);
    const snapshots = new SnapshotStore(layout, content);
    const trees = await snapshots.ensure([base, top]);
    expect(trees).to.have.length(2);
    expect(await readFile(join(trees[0]!, 'a'), 'utf8')).to.equal('top');
    expect(await readFile(join(trees[1]!, 'keep'), 'utf8')).to.equal('k');
    const ids = chainIds([base, top]).map((id) => id.slice('sha256:'.length));
    expect((await readdir(layout.snapshots)).sort()).to.deep.equal([...ids].sort());
    expect(await snapshots.ensure([base, top])).to.deep.equal(trees);
  });

  it('lets two stores on one root unpack the same chain at once, ending with one complete folder', async () => {
    const layer = await storeLayer(Array.from({ length: 50 }, (_, index) => ({ name: `f${index}`, data: `${index}` })));
    const [one, two] = await Promise.all([new SnapshotStore(layout, content).ensure([layer]), new SnapshotStore(layout, content).ensure([layer])]);
    expect(one).to.deep.equal(two);
    expect(await readdir(layout.snapshots)).to.deep.equal([layer.diffId.slice('sha256:'.length)]);
    expect(await readdir(layout.tmp)).to.deep.equal([]);
  });

  it('names the layer blobs and chain IDs it uses in the build lease', async () => {
    const layer = await storeLayer([{ name: 'a', data: '1' }]);
    const lease = await Lease.create(layout);
    try {
      await new SnapshotStore(layout, content, { lease }).ensure([layer]);
      expect([...lease.digests]).to.include.members([layer.digest, ...chainIds([layer])]);
    } finally {
      await lease.release();
    }
  });

  it('unpacks a gzip-compressed base layer, checking its blob digest and DiffID', async () => {
    const layer = await storeLayer([{ name: 'z', data: 'zipped' }], true);
    expect(layer.digest).to.not.equal(layer.diffId);
    const [tree] = await new SnapshotStore(layout, content).ensure([layer]);
    expect(await readFile(join(tree!, 'z'), 'utf8')).to.equal('zipped');
  });

  it('refuses a layer whose DiffID does not match, keeping no snapshot', async () => {
    const layer = await storeLayer([{ name: 'a', data: '1' }]);
    const lying = { ...layer, diffId: sha('something else') };
    const error = await new SnapshotStore(layout, content).ensure([lying]).then(() => undefined, (caught: unknown) => caught);
    expect(error).to.be.instanceOf(Error);
    expect(String((error as Error).message)).to.match(/DiffID mismatch/);
    expect(await readdir(layout.snapshots)).to.deep.equal([]);
  });

  it('turns a step’s changes into an uncompressed stored layer and its snapshot; no change is no layer', async () => {
    const base = await storeLayer([{ name: 'a', data: 'base' }]);
    const snapshots = new SnapshotStore(layout, content);
    const step = await snapshots.prepareStepRootfs([base]);
    expect(await readFile(join(step.rootfs, 'a'), 'utf8')).to.equal('base');
    await writeFile(join(step.rootfs, 'b'), 'new');
    const layer = await snapshots.commitStep(step, [base]);
    await step.release();
    expect(layer).to.not.equal(null);
    expect(layer!.digest).to.equal(layer!.diffId);
    expect(await content.has(layer!.digest)).to.equal(true);
    const trees = await snapshots.ensure([base, layer!]);
    expect(await readdir(trees[0]!)).to.deep.equal(['b']);

    const idle = await snapshots.prepareStepRootfs([base, layer!]);
    expect(await snapshots.commitStep(idle, [base, layer!])).to.equal(null);
    await idle.release();
    await idle.release();
    // BuildKit's layer for a step that changed nothing: the empty tar (its DiffID, seen in docker save).
    const kept = await snapshots.prepareStepRootfs([base]);
    const empty = await snapshots.commitStep(kept, [base], { keepEmpty: true });
    await kept.release();
    expect(empty).to.deep.equal({ digest: EMPTY_TAR, diffId: EMPTY_TAR, size: 1024 });
    expect(await readdir(layout.tmp)).to.deep.equal([]);
  });

  it('[root] keeps a step’s overlay upper as its snapshot, holding what unpacking its layer gives', async () => {
    const base = await storeLayer([{ name: 'd/', type: 'dir' }, { name: 'd/old', data: 'o' }, { name: 'd/gone', data: 'g' }, { name: 'x', data: 'x' }]);
    const snapshots = new SnapshotStore(layout, content);
    const step = await snapshots.prepareStepRootfs([base]);
    if (step.prepared.kind !== 'overlay') return; // the copy mode unpacks as before
    // Emptied and refilled: overlayfs marks d opaque; x is a plain deletion (a whiteout device).
    await rm(join(step.rootfs, 'd'), { recursive: true });
    await mkdir(join(step.rootfs, 'd'));
    await writeFile(join(step.rootfs, 'd', 'new'), 'n');
    await rm(join(step.rootfs, 'x'));
    await utimes(join(step.rootfs, 'd', 'new'), 1000000000.75, 1000000000.75);
    const layer = (await snapshots.commitStep(step, [base]))!;
    await step.release();
    const adopted = (await snapshots.ensure([base, layer]))[0]!;
    const unpacked = join(dir, 'unpacked');
    await mkdir(unpacked);
    await applyLayer(createReadStream(content.blobPath(layer.digest)), unpacked, { whiteouts: 'overlay', lowers: [(await snapshots.ensure([base]))[0]!] });
    expect(await listing(adopted)).to.deep.equal(await listing(unpacked));
    // The layer's times are clamped to the default epoch (0), and so are the adopted snapshot's.
    expect((await lstat(join(adopted, 'd', 'new'))).mtimeMs).to.equal(0);
    // A later step sees exactly the new folder: no whiteout shows through in a listing.
    const next = await snapshots.prepareStepRootfs([base, layer]);
    try {
      expect(await readdir(join(next.rootfs, 'd'))).to.deep.equal(['new']);
      expect(await readdir(next.rootfs)).to.deep.equal(['d']);
    } finally {
      await next.release();
    }
    expect(await readdir(layout.tmp)).to.deep.equal([]);
  });

  it('prune removes snapshots no live build leases and debris of interrupted unpacks, keeping leased ones', async () => {
    const kept = await storeLayer([{ name: 'a', data: '1' }]);
    const dropped = await storeLayer([{ name: 'b', data: '2' }]);
    const lease = await Lease.create(layout);
    try {
      await new SnapshotStore(layout, content, { lease }).ensure([kept]);
      await new SnapshotStore(layout, content).ensure([dropped]);
      const debris = `${'c'.repeat(64)}.tmp-0123abcd`;
      await mkdir(join(layout.snapshots, debris, 'fs'), { recursive: true });
      const report = await pruneSnapshots(layout);
      expect(report).to.deep.equal({ removed: [dropped.diffId], removedDebris: 1 });
      expect(await readdir(layout.snapshots)).to.deep.equal([kept.diffId.slice('sha256:'.length)]);
      // Removed snapshots are only a cache: the next use unpacks the layer again.
      const [tree] = await new SnapshotStore(layout, content).ensure([dropped]);
      expect(await readFile(join(tree!, 'b'), 'utf8')).to.equal('2');
    } finally {
      await lease.release();
    }
  });
});
