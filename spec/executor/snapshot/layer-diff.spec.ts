// The differ and the layer writer together: a step changes a rootfs prepared over snapshots, and
// the layer it produces is parsed back. Every scenario runs through a real overlay mount ([root])
// and through the copy fallback, and both must give the same entries and the same bytes.
import { expect } from 'chai';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TarFixtureEntry } from '../../support/mk-tar.js';
import { isRoot, runStep, snapshotChain, type StepLayer } from './step-harness.js';
import { listTar, type TarListingEntry } from './tree-listing.js';

interface Scenario {
  readonly title: string;
  readonly layers: readonly (readonly TarFixtureEntry[])[];
  readonly change: (merged: string) => void;
  readonly expected: readonly (string | TarListingEntry)[];
}

const at = (merged: string, path: string) => join(merged, path);

const scenarios: readonly Scenario[] = [
  {
    title: 'C6: rm foo/bar after `mkdir -p foo; echo > foo/bar` gives foo/ then foo/.wh.bar',
    layers: [[{ name: 'foo', type: 'dir' }, { name: 'foo/bar', data: '\n' }]],
    change: (m) => unlinkSync(at(m, 'foo/bar')),
    expected: ['foo/', 'foo/.wh.bar'],
  },
  {
    title: 'rm -rf + mkdir of a folder (opaque in overlay) gives explicit whiteouts for removed children',
    layers: [[{ name: 'd', type: 'dir' }, { name: 'd/a', data: 'a' }, { name: 'd/b', data: 'b' }, { name: 'd/sub/c', data: 'c' }, { name: 'keep', data: 'k' }]],
    change: (m) => {
      rmSync(at(m, 'd'), { recursive: true });
      mkdirSync(at(m, 'd'));
      writeFileSync(at(m, 'd/new'), 'new');
    },
    expected: ['d/', 'd/.wh.a', 'd/.wh.b', 'd/new', 'd/.wh.sub'],
  },
  {
    title: 'top-level deletions and a folder replaced by a file',
    layers: [[{ name: 'top', data: 't' }, { name: 'was-dir/x', data: 'x' }, { name: 'z', data: 'z' }]],
    change: (m) => {
      unlinkSync(at(m, 'top'));
      rmSync(at(m, 'was-dir'), { recursive: true });
      writeFileSync(at(m, 'was-dir'), 'now a file');
    },
    expected: ['.wh.top', 'was-dir'],
  },
  {
    title: 'hard links: new links inside the layer, and a new link to a lower file',
    layers: [[{ name: 'lower/file', data: 'shared' }, { name: 'other', data: 'o' }]],
    change: (m) => {
      writeFileSync(at(m, 'h1'), 'one');
      linkSync(at(m, 'h1'), at(m, 'h2'));
      mkdirSync(at(m, 'links'));
      linkSync(at(m, 'lower/file'), at(m, 'links/to-lower'));
    },
    expected: [
      'h1',
      { name: 'h2', type: 'link', linkname: 'h1' },
      'links/',
      'links/to-lower',
      'lower/',
      { name: 'lower/file', type: 'link', linkname: 'links/to-lower' },
    ],
  },
  {
    title: 'a chmod of a lower file is a modification; a file made and removed leaves nothing',
    layers: [[{ name: 'bin/tool', data: '#!/bin/sh\n', mode: 0o644 }]],
    change: (m) => {
      chmodSync(at(m, 'bin/tool'), 0o755);
      writeFileSync(at(m, 'tmpfile'), 'x');
      unlinkSync(at(m, 'tmpfile'));
    },
    expected: ['bin/', 'bin/tool'],
  },
  {
    title: 'deletions in a folder of a lower layer two levels down, with whiteouts in between',
    layers: [
      [{ name: 'etc/a', data: 'a' }, { name: 'etc/b', data: 'b' }, { name: 'etc/c', data: 'c' }],
      [{ name: 'etc/.wh.b', data: '' }, { name: 'etc/d', data: 'd' }],
    ],
    change: (m) => {
      unlinkSync(at(m, 'etc/a'));
      unlinkSync(at(m, 'etc/d'));
    },
    expected: ['etc/', 'etc/.wh.a', 'etc/.wh.d'],
  },
];

function names(entries: readonly TarListingEntry[]): (string | TarListingEntry)[] {
  return entries.map((entry) => (entry.type === 'link' ? entry : entry.name));
}

describe('snapshot: differ + layer writer', () => {
  const made: string[] = [];
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  for (const scenario of scenarios) {
    describe(scenario.title, () => {
      const layers: Partial<Record<'overlay' | 'copy', StepLayer>> = {};

      it('copy fallback', async () => {
        const store = mkdtempSync(join(tmpdir(), 'snapshot-store-'));
        made.push(store);
        layers.copy = await runStep(await snapshotChain(store, scenario.layers), 'copy', scenario.change);
        expect(names(await listTar(layers.copy.tar))).to.deep.equal(scenario.expected);
      });

      it('[root] overlay mount gives the same bytes', async function () {
        if (!isRoot()) this.skip();
        const store = mkdtempSync(join(tmpdir(), 'snapshot-store-'));
        made.push(store);
        layers.overlay = await runStep(await snapshotChain(store, scenario.layers), 'overlay', scenario.change);
        expect(layers.overlay.kind).to.equal('overlay');
        expect(names(await listTar(layers.overlay.tar))).to.deep.equal(scenario.expected);
        expect(layers.copy, 'the copy run').to.not.equal(undefined);
        expect(layers.overlay.diffId).to.equal(layers.copy!.diffId);
        expect(layers.overlay.tar.equals(layers.copy!.tar)).to.equal(true);
      });
    });
  }
});
