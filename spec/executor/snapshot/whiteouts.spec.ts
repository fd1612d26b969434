// SECURITY group C (whiteouts in layers) and B10 (overlay xattrs), through both snapshot formats:
// `remove` (a flat tree, whiteouts delete) and `overlay` (a fresh folder over the lower snapshot,
// whiteouts become 0/0 devices), the latter read back with LayeredView as overlayfs would merge it.
import { expect } from 'chai';
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveError } from '../../../executor/snapshot/archive-error.js';
import { applyLayer } from '../../../executor/snapshot/layer-reader.js';
import { isWhiteoutDevice, LayeredView } from '../../../executor/snapshot/lower-view.js';
import type { TarFixtureEntry } from '../../support/mk-tar.js';
import { makeCanary } from './canary.js';
import { createDir, createFile, createSymlink, makeTree, tarStream, thrownBy, type TreeStep } from './fs-fixture.js';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Applies `entries` over a lower tree both ways and returns a reader of the merged result. */
async function applyBothWays(lower: TreeStep[], entries: TarFixtureEntry[]) {
  const flat = makeTree(...lower);
  const lowerSnapshot = makeTree(...lower);
  const upper = await mkdtemp(join(tmpdir(), 'snapshot-upper-'));
  made.push(flat, lowerSnapshot, upper);
  await applyLayer(tarStream(entries), flat, { whiteouts: 'remove' });
  await applyLayer(tarStream(entries), upper, { whiteouts: 'overlay', lowers: [lowerSnapshot] });
  const merged = new LayeredView([upper, lowerSnapshot]);
  return {
    flat,
    upper,
    async children(path: string[]) {
      const fromFlat = (await new LayeredView([flat]).children(path))?.sort() ?? null;
      const fromOverlay = (await merged.children(path))?.sort() ?? null;
      expect(fromOverlay, `overlay view of /${path.join('/')}`).to.deep.equal(fromFlat);
      return fromFlat;
    },
    async read(path: string[]) {
      const fromFlat = readFileSync(join(flat, ...path), 'utf8');
      expect(readFileSync((await merged.hostPath(path))!, 'utf8'), `overlay view of /${path.join('/')}`).to.equal(fromFlat);
      return fromFlat;
    },
  };
}

describe('snapshot: whiteouts (SECURITY C)', () => {
  it('C1: a whiteout and a file of the same name in one layer keep the file, in either order', async () => {
    for (const entries of [
      [{ name: '.wh.foo', data: '' }, { name: 'foo', data: 'upper' }],
      [{ name: 'foo', data: 'upper' }, { name: '.wh.foo', data: '' }],
    ]) {
      const result = await applyBothWays([createFile('foo', 'lower'), createFile('bar', 'lower')], entries);
      expect(await result.read(['foo'])).to.equal('upper');
      expect(await result.children([])).to.deep.equal(['bar', 'foo']);
    }
  });

  it('C1: a whiteout of a folder the same layer re-creates hides only the lower children', async () => {
    const result = await applyBothWays([createFile('d/old', 'lower')], [{ name: 'd/new', data: 'n' }, { name: '.wh.d', data: '' }]);
    expect(await result.children(['d'])).to.deep.equal(['new']);
  });

  it('C2: an opaque marker after its folder\'s entries still applies first', async () => {
    const lower = [createFile('a/x', '1'), createFile('a/y', '2'), createFile('a/b/c/foo', 'old'), createFile('a/b/c/bar', 'old')];
    for (const entries of [
      [{ name: 'a/b/c/foo', data: 'new' }, { name: 'a/.wh..wh..opq', data: '' }],
      [{ name: 'a/.wh..wh..opq', data: '' }, { name: 'a/b/c/foo', data: 'new' }],
    ]) {
      const result = await applyBothWays(lower, entries);
      expect(await result.children(['a'])).to.deep.equal(['b']);
      expect(await result.children(['a', 'b', 'c'])).to.deep.equal(['foo']);
      expect(await result.read(['a', 'b', 'c', 'foo'])).to.equal('new');
      const device = lstatSync(join(result.upper, 'a', 'b', 'c', 'bar'), { bigint: true });
      expect(isWhiteoutDevice(device), 'an explicit whiteout replaces the opaque xattr').to.equal(true);
    }
  });

  it('C2: the snapshot for an opaque folder depends on the lower chain (keyed by chain)', async () => {
    const entries = [{ name: 'a/.wh..wh..opq', data: '' }];
    const overA = await applyBothWays([createFile('a/x', '1')], entries);
    const overB = await applyBothWays([createFile('a/y', '1')], entries);
    expect(isWhiteoutDevice(lstatSync(join(overA.upper, 'a', 'x'), { bigint: true }))).to.equal(true);
    expect(isWhiteoutDevice(lstatSync(join(overB.upper, 'a', 'y'), { bigint: true }))).to.equal(true);
  });

  describe('C3: whiteouts that do not name one child are refused', () => {
    for (const name of ['.wh..', '.wh...', 'etc/.wh..', 'etc/.wh...', '.wh.', 'etc/.wh.']) {
      it(JSON.stringify(name), async () => {
        const canary = makeCanary();
        const root = makeTree(createFile('etc/passwd', 'root:x:0:0'));
        made.push(root, canary.dir);
        const error = await thrownBy(applyLayer(tarStream([{ name, data: '' }]), root, { whiteouts: 'remove' }));
        expect((error as ArchiveError).reason).to.equal('invalid-whiteout');
        expect(error.message).to.include('invalid whiteout name');
        expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).to.equal('root:x:0:0');
        canary.assertIntact();
      });
    }
  });

  it('C4: whiteouts through a symlink to a host folder act in-root only', async () => {
    const canary = makeCanary();
    made.push(canary.dir);
    const inRootCanary = canary.dir.split('/').filter(Boolean);
    const lower = [createSymlink(canary.dir, 'localetc'), createFile(`${canary.dir}/victim`, 'in-root copy')];
    const result = await applyBothWays(lower, [{ name: 'localetc/.wh.victim', data: '' }]);
    // A flat tree follows the symlink in-root, as containerd's Apply does.
    expect(await new LayeredView([result.flat]).children(inRootCanary)).to.deep.equal([]);
    // A fresh snapshot resolves names in its own layer only (moby overlay2, containerd's overlay
    // fast path): the lower symlink is not followed, so the whiteout has nothing to hide.
    expect(readdirSync(result.upper)).to.deep.equal([]);
    canary.assertIntact();
  });

  it('C5: a whiteout of a symlink to a host file unlinks the symlink only', async () => {
    const canary = makeCanary();
    made.push(canary.dir);
    const result = await applyBothWays([createSymlink(join(canary.dir, 'victim'), 'link'), createFile('keep', 'k')], [{ name: '.wh.link', data: '' }]);
    expect(await result.children([])).to.deep.equal(['keep']);
    canary.assertIntact();
  });

  it('B10: a trusted.overlay.opaque PAX xattr is recorded, never applied', async () => {
    const upper = await mkdtemp(join(tmpdir(), 'snapshot-upper-'));
    const lower = makeTree(createFile('dir/old', 'layer 1'));
    made.push(upper, lower);
    const pax = { 'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.security.capability': '\u0001' };
    const result = await applyLayer(tarStream([{ name: 'dir', type: 'dir', pax }, { name: 'dir/new', data: 'layer 2' }]), upper, { whiteouts: 'overlay', lowers: [lower] });
    expect(result.xattrs).to.deep.equal([{ path: 'dir', xattrs: { 'trusted.overlay.opaque': 'y', 'security.capability': '\u0001' } }]);
    expect((await new LayeredView([upper, lower]).children(['dir']))?.sort()).to.deep.equal(['new', 'old']);
  });

  it('literal mode (ADD of a local archive) writes .wh. names as plain files, as BuildKit does', async () => {
    const root = makeTree(createDir('opt'), createFile('opt/foo.repo', 'repo'));
    made.push(root);
    await applyLayer(tarStream([{ name: 'opt/.wh.foo.repo', data: '' }, { name: 'opt/.wh..wh..opq', data: '' }]), root, { whiteouts: 'literal' });
    expect(readFileSync(join(root, 'opt/foo.repo'), 'utf8')).to.equal('repo');
    expect(lstatSync(join(root, 'opt/.wh.foo.repo')).isFile()).to.equal(true);
  });

  it('AUFS metadata (.wh..wh.plnk) is skipped with a warning', async () => {
    const root = makeTree();
    made.push(root);
    const warnings: string[] = [];
    const result = await applyLayer(tarStream([{ name: '.wh..wh.plnk', type: 'dir' }, { name: '.wh..wh.plnk/1234.56', data: 'x' }]), root, { whiteouts: 'remove', onWarning: (m) => warnings.push(m) });
    expect(result.skipped).to.deep.equal(['.wh..wh.plnk/', '.wh..wh.plnk/1234.56']);
    expect(warnings).to.have.length(2);
  });
});
