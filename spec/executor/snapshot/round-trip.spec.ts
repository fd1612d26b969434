// Round trips: a tree (busybox rootfs plus awkward entries) → layer tar → fresh snapshot gives the
// same listing (paths, types, modes, owners, link counts, sizes, content hashes, link targets,
// mtimes), and re-exporting the snapshot gives the same DiffID. Then a second step on top, through
// the copy fallback and ([root]) an overlay mount: the stacked snapshots read back as the step saw.
import { expect } from 'chai';
import { chmodSync, chownSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { diffRootfs } from '../../../executor/snapshot/layer-diff.js';
import { writeLayerTar } from '../../../executor/snapshot/layer-writer.js';
import { DirView, LayeredView } from '../../../executor/snapshot/lower-view.js';
import { mountOverlay } from '../../../executor/snapshot/overlay-mount.js';
import { prepareRootfs } from '../../../executor/snapshot/overlay.js';
import { snapshotTree, unpackLayerSnapshot } from '../../../executor/snapshot/snapshot-unpack.js';
import { diffTrees } from '../../../executor/snapshot/tree-diff.js';
import { makeBusyboxRootfs } from '../../support/busybox-rootfs.js';
import { isRoot, unmountUnder } from './step-harness.js';
import { listView } from './tree-listing.js';

const made: string[] = [];
after(() => {
  unmountUnder(made);
  made.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Entries a layer format has to get right, beyond what busybox brings. */
function addAwkwardEntries(root: string): void {
  writeFileSync(join(root, 'bin/hl1'), 'hard');
  linkSync(join(root, 'bin/hl1'), join(root, 'bin/hl2'));
  writeFileSync(join(root, 'bin/suid'), 'x');
  chmodSync(join(root, 'bin/suid'), 0o4755);
  writeFileSync(join(root, 'home-file'), 'user');
  if (isRoot()) chownSync(join(root, 'home-file'), 1000, 1000);
  chmodSync(join(root, 'home-file'), 0o640);
  mkdirSync(join(root, 'private'), 0o700);
  chmodSync(join(root, 'private'), 0o700);
  const long = join(root, 'l'.repeat(90), 'o'.repeat(90));
  mkdirSync(long, { recursive: true });
  writeFileSync(join(long, `${'n'.repeat(120)}.txt`), 'long name');
  writeFileSync(join(root, 'unicodé ✓.txt'), 'utf8');
  symlinkSync('/etc/passwd', join(root, 'abs-link'));
  symlinkSync('../../../../etc/pki/cacerts', join(root, 'etc/up-link'));
  writeFileSync(join(root, 'random.bin'), randomBytes(300 * 1024));
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'old'), 'from 1990');
  utimesSync(join(root, 'old'), 631_152_000, 631_152_000);
}

async function layerOf(changes: Parameters<typeof writeLayerTar>[0]): Promise<{ tar: Buffer; diffId: string }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { chunks.push(chunk); done(); } });
  const { diffId } = await writeLayerTar(changes, sink);
  return { tar: Buffer.concat(chunks), diffId };
}

describe('snapshot: round trips', () => {
  let tree: string;
  let snapshot: string;

  before(async () => {
    tree = tempDir('snapshot-tree-');
    await makeBusyboxRootfs(tree);
    addAwkwardEntries(tree);
  });

  it('tree → layer → snapshot gives the same listing, and re-exports to the same DiffID', async () => {
    const empty = tempDir('snapshot-empty-');
    const layer = await layerOf(await diffTrees(empty, tree));
    snapshot = join(tempDir('snapshot-store-'), 'layer-1');
    const { marker } = await unpackLayerSnapshot(Readable.from([layer.tar]), snapshot, { expectDiffId: layer.diffId });
    expect(marker.diffId).to.equal(layer.diffId);
    expect(await listView(new DirView(snapshotTree(snapshot)))).to.deep.equal(await listView(new DirView(tree)));
    const again = await layerOf(await diffTrees(empty, snapshotTree(snapshot)));
    expect(again.diffId).to.equal(layer.diffId);
  });

  for (const mode of ['copy', 'overlay'] as const) {
    it(`${mode === 'overlay' ? '[root] ' : ''}a second step through the ${mode} path stacks back to what the step saw`, async function () {
      if (mode === 'overlay' && !isRoot()) this.skip();
      const work = tempDir('snapshot-step-');
      mkdirSync(join(work, 'upper'));
      const lowers = [snapshotTree(snapshot)];
      const prepared = await prepareRootfs({ lowers, upper: join(work, 'upper'), scratch: join(work, 'scratch'), mode });
      let seen: string[];
      let layer: { tar: Buffer; diffId: string };
      try {
        const m = prepared.merged;
        unlinkSync(join(m, 'bin/hl2'));
        rmSync(join(m, 'etc'), { recursive: true });
        mkdirSync(join(m, 'etc'));
        writeFileSync(join(m, 'etc/passwd'), readFileSync(join(tree, 'etc/passwd')));
        chmodSync(join(m, 'random.bin'), 0o600);
        writeFileSync(join(m, 'bin/new'), 'added');
        seen = await listView(new DirView(m), { mtimes: false, links: false });
        layer = await layerOf(await diffRootfs(prepared));
      } finally {
        await prepared.cleanup();
      }
      const second = join(tempDir('snapshot-store-'), 'layer-2');
      await unpackLayerSnapshot(Readable.from([layer.tar]), second, { lowers });
      const stacked = [snapshotTree(second), ...lowers];
      expect(await listView(new LayeredView(stacked), { mtimes: false, links: false })).to.deep.equal(seen);
      if (isRoot()) {
        const target = tempDir('snapshot-mount-');
        const mounted = await mountOverlay({ lowers: stacked, target }, tempDir('snapshot-scratch-'));
        try {
          expect(await listView(new DirView(target), { mtimes: false, links: false })).to.deep.equal(seen);
        } finally {
          await mounted.unmount();
        }
      }
    });
  }
});
