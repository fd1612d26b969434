// Runs a "step" the way the executor will: lower snapshots unpacked from layer tars, a rootfs
// prepared over them (overlay mount or copy), a change made in the merged view, the changes
// diffed and written as a layer tar. Specs compare what the overlay and copy paths produce.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { diffRootfs } from '../../../executor/snapshot/layer-diff.js';
import { writeLayerTar, type LayerDigest } from '../../../executor/snapshot/layer-writer.js';
import { prepareRootfs } from '../../../executor/snapshot/overlay.js';
import { snapshotTree, unpackLayerSnapshot } from '../../../executor/snapshot/snapshot-unpack.js';
import { mkTar, type TarFixtureEntry } from '../../support/mk-tar.js';

/** SOURCE_DATE_EPOCH for specs: clamps every "now" so two runs write the same bytes. */
export const SPEC_EPOCH = 1_700_000_000;

/** Unpacks layers (bottom first) as a chain of snapshots; returns the trees, topmost first. */
export async function snapshotChain(store: string, layers: readonly (readonly TarFixtureEntry[] | Buffer)[], name = (i: number) => `chain-${i}`): Promise<string[]> {
  let lowers: string[] = [];
  for (const [i, layer] of layers.entries()) {
    const dest = join(store, name(i));
    const bytes = Buffer.isBuffer(layer) ? layer : mkTar(layer);
    await unpackLayerSnapshot(Readable.from([bytes]), dest, { lowers });
    lowers = [snapshotTree(dest), ...lowers];
  }
  return lowers;
}

export interface StepLayer extends LayerDigest {
  readonly tar: Buffer;
  readonly kind: 'overlay' | 'copy';
}

/** Prepares a rootfs over `lowers`, lets `change` modify it, and returns the layer it makes. */
export async function runStep(lowers: readonly string[], mode: 'overlay' | 'copy', change: (merged: string) => void | Promise<void>): Promise<StepLayer> {
  const work = mkdtempSync(join(tmpdir(), 'snapshot-step-'));
  const upper = join(work, 'upper');
  mkdirSync(upper);
  const prepared = await prepareRootfs({ lowers, upper, scratch: join(work, 'scratch'), mode });
  try {
    await change(prepared.merged);
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { chunks.push(chunk); done(); } });
    const digest = await writeLayerTar(await diffRootfs(prepared), sink, { sourceDateEpoch: SPEC_EPOCH });
    return { ...digest, tar: Buffer.concat(chunks), kind: prepared.kind };
  } finally {
    await prepared.cleanup();
    unmountUnder([work]);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Lazily unmounts whatever a failed spec left mounted below `dirs`, so cleanup can remove them. */
export function unmountUnder(dirs: readonly string[]): void {
  const targets = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((line) => line.split(' ')[1] ?? '');
  for (const target of targets.reverse()) {
    if (dirs.some((dir) => target === dir || target.startsWith(`${dir}/`))) spawnSync('umount', ['-l', target]);
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
