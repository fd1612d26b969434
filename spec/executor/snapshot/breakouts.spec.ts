// SECURITY group B: containerd's TestBreakouts (34 cases) through our layer reader, with a host
// canary that must stay untouched after every case. Each case runs three ways:
// - remove: applied onto a flat tree (containerd's Apply); containerd's expectations hold.
// - literal: ADD of a local archive; `.wh.` names are plain files, so whiteout cases only have to
//   keep the canary intact, the others must give the same tree.
// - overlay: unpacked into a fresh snapshot over the case's tree as a lower snapshot; paths resolve
//   in the new layer only (like moby overlay2 and containerd's overlay fast path), so cases that
//   need the lower tree only have to keep the canary intact.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveError } from '../../../executor/snapshot/archive-error.js';
import { applyLayer, type WhiteoutHandling } from '../../../executor/snapshot/layer-reader.js';
import { type BreakoutCase, breakoutCases } from './breakout-cases.js';
import { makeCanary } from './canary.js';
import { makeTree, tarStream, thrownBy } from './fs-fixture.js';

const usesWhiteouts = (c: BreakoutCase) => c.name.startsWith('Whiteout') && c.name !== 'WhiteoutDirectoryName';

async function runCase(c: BreakoutCase, mode: WhiteoutHandling): Promise<void> {
  const canary = makeCanary();
  const ctx = { canaryDir: canary.dir, tag: randomBytes(6).toString('hex') };
  const tree = makeTree(...(c.tree ?? []));
  const fresh = mkdtempSync(join(tmpdir(), 'snapshot-upper-'));
  const root = mode === 'overlay' ? fresh : tree;
  const options = mode === 'overlay' ? { whiteouts: mode, lowers: [tree] } : { whiteouts: mode };
  try {
    const expected = mode === 'overlay' && c.overlayError ? c.overlayError : c.error;
    if (expected !== undefined && !(mode === 'literal' && expected === 'invalid-whiteout')) {
      const error = await thrownBy(applyLayer(tarStream(c.entries(ctx)), root, options));
      expect(error).to.be.instanceOf(ArchiveError);
      expect((error as ArchiveError).reason).to.equal(expected);
    } else {
      await applyLayer(tarStream(c.entries(ctx)), root, options);
      const checkApplies = mode === 'remove' || (!usesWhiteouts(c) && (mode === 'literal' || c.tree === undefined));
      if (checkApplies) await c.check?.(root, ctx);
    }
    canary.assertIntact();
  } finally {
    for (const dir of [tree, fresh, canary.dir]) rmSync(dir, { recursive: true, force: true });
  }
}

describe('snapshot: containerd TestBreakouts through the layer reader', () => {
  it('has all 34 cases', () => expect(breakoutCases).to.have.length(34));

  for (const mode of ['remove', 'literal', 'overlay'] as const) {
    describe(`whiteouts: ${mode}`, () => {
      for (const c of breakoutCases) {
        it(`${c.name}${c.ours ? ' (ours: refused)' : ''}`, () => runCase(c, mode));
      }
    });
  }
});
