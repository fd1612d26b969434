// Overlay mounts against the kernel: detection, long lower chains (page-limited options, one
// `lowerdir+=` per layer, two levels), the JS view of stacked snapshots and the copy fallback's
// flattening against a real mount, and the whole path rootless in a user namespace.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flattenSnapshots } from '../../../executor/snapshot/copy-snapshot.js';
import { DirView, LayeredView } from '../../../executor/snapshot/lower-view.js';
import { mountOverlay, type MountStrategy } from '../../../executor/snapshot/overlay-mount.js';
import { detectOverlaySupport, prepareRootfs } from '../../../executor/snapshot/overlay.js';
import type { TarFixtureEntry } from '../../support/mk-tar.js';
import { isRoot, snapshotChain, unmountUnder } from './step-harness.js';
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

/** 150 layers; with long folder names (about 40 bytes each) beyond one page of mount options. */
function manyLayers(): TarFixtureEntry[][] {
  const layers: TarFixtureEntry[][] = [[{ name: 'bottom-only', data: 'hidden later' }, { name: 'shared/keep', data: 'k' }, { name: 'gone/deep', data: 'd' }]];
  for (let i = 1; i < 149; i++) layers.push([{ name: `shared/f${i}`, data: String(i) }]);
  layers.push([{ name: '.wh.bottom-only', data: '' }, { name: '.wh.gone', data: '' }, { name: 'shared/.wh.f1', data: '' }]);
  return layers;
}

describe('snapshot: overlay mounts', () => {
  let lowers: string[];
  let shortLowers: string[];
  let expected: string[];

  before(async function () {
    if (!isRoot()) this.skip();
    lowers = await snapshotChain(tempDir('snapshot-store-'), manyLayers(), (i) => `layer-${i}-named-like-a-chain-digest`);
    shortLowers = await snapshotChain(tempDir('snapshot-store-'), manyLayers());
    expected = await listView(new LayeredView(lowers), { links: false });
  });

  it('[root] detects that overlayfs works here, whiteout devices included', async () => {
    const support = await detectOverlaySupport(tempDir('snapshot-probe-'));
    expect(support).to.deep.equal({ available: true, userxattr: false });
  });

  it('[root] the chain hides what its top layer whited out (the reference the mounts are compared with)', () => {
    const paths = expected.map((line) => line.split(' ')[0]);
    expect(paths).to.include.members(['shared', 'shared/keep', 'shared/f2', 'shared/f148']);
    expect(paths).to.not.include.members(['bottom-only']);
    expect(paths.filter((path) => path === 'gone' || path === 'shared/f1')).to.deep.equal([]);
    expect(paths).to.have.length(2 + 147);
  });

  for (const strategy of ['page', 'append', 'two-level'] as const satisfies readonly MountStrategy[]) {
    it(`[root] 150 lowers with the ${strategy} strategy${strategy === 'page' ? ' do not fit one page' : ' mount, whiteouts across the whole chain honoured'}`, async () => {
      const target = tempDir('snapshot-mount-');
      const mounting = mountOverlay({ lowers, target }, tempDir('snapshot-scratch-'), strategy);
      if (strategy === 'page') {
        const error = await mounting.then(() => null, (e: Error) => e);
        expect(error?.message).to.include('page: the options do not fit');
        return;
      }
      const mounted = await mounting;
      try {
        expect(mounted.strategy).to.equal(strategy);
        expect(await listView(new DirView(target), { links: false })).to.deep.equal(expected);
      } finally {
        await mounted.unmount();
      }
    });
  }

  it('[root] paths relative to their common parent fit 150 short-named lowers in one page', async () => {
    const target = tempDir('snapshot-mount-');
    const mounted = await mountOverlay({ lowers: shortLowers, target }, tempDir('snapshot-scratch-'), 'page');
    try {
      expect(await listView(new DirView(target), { links: false })).to.deep.equal(await listView(new LayeredView(shortLowers), { links: false }));
    } finally {
      await mounted.unmount();
    }
  });

  it('[root] the copy fallback flattens to exactly the mounted view', async () => {
    const flat = tempDir('snapshot-flat-');
    await flattenSnapshots(lowers, flat);
    expect(await listView(new DirView(flat), { links: false })).to.deep.equal(expected);
  });

  it('[root] prepareRootfs (auto) mounts a long chain and cleans up after itself', async () => {
    const work = tempDir('snapshot-step-');
    mkdirSync(join(work, 'upper'));
    const prepared = await prepareRootfs({ lowers, upper: join(work, 'upper'), scratch: join(work, 'scratch') });
    expect(prepared.kind).to.equal('overlay');
    await prepared.cleanup();
    expect(execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' })).to.not.include(work);
  });

  it('[namespaces] rootless: unprivileged user in a user namespace unpacks, mounts, diffs and writes a layer', function () {
    if (!isRoot()) this.skip(); // dropping to an unprivileged uid needs setpriv from root
    const work = tempDir('snapshot-rootless-');
    chownSync(work, 65534, 65534);
    const script = join(dirname(fileURLToPath(import.meta.url)), 'rootless-step.js');
    const args = ['--reuid=65534', '--regid=65534', '--clear-groups', 'unshare', '--user', '--map-root-user', '--mount', process.execPath, script, work];
    const child = spawnSync('setpriv', args, { encoding: 'utf8' });
    if (child.status !== 0 && /unshare failed|Operation not permitted/.test(child.stderr)) this.skip();
    expect(child.status, child.stderr).to.equal(0);
    const result = JSON.parse(child.stdout) as { support: { available: boolean; userxattr: boolean }; kind: string; entries: string[] };
    expect(result.support).to.deep.equal({ available: true, userxattr: true });
    expect(result.kind).to.equal('overlay');
    expect(result.entries).to.deep.equal(['etc/', 'etc/.wh.a', 'opt/', 'opt/z']);
  });
});
