// Unpacks a layer into a kept snapshot folder atomically (SECURITY lesson 5, §5 "our bar" 3-4):
// everything is extracted into `<dest>.tmp-<random>`, the blob digest and DiffID are checked once
// the stream has been read to the end, the filesystem is synced, the completion marker is written
// last inside the temporary folder, and only then is the folder renamed to `<dest>`. A `<dest>`
// without a marker is debris from a crash and is replaced. Nothing unverified is ever kept.
//
// Layout: `<dest>/fs` is the tree in overlay format (see layer-reader `overlay`), `<dest>/complete.json`
// the marker, `<dest>/owners.json` the owners a build without root could not apply (owner-table.ts).
// A snapshot depends on its parents (opaque markers were resolved against them), so callers key
// snapshot folders by chain: the parent chain plus this layer, like containerd's chain IDs.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ArchiveError } from './archive-error.js';
import { runHostCommand } from './host-command.js';
import { type ApplyLayerOptions, applyLayer, type RecordedXattrs } from './layer-reader.js';
import { saveSnapshotOwners, trackOwners } from './owner-table.js';

export const SNAPSHOT_FORMAT = 'tsbuild-snapshot-v1';

export interface SnapshotMarker {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly diffId: string;
  /** Digest of the bytes as given (the compressed blob), equal to diffId when uncompressed. */
  readonly digest: string;
  readonly entries: number;
  readonly bytes: number;
  /** Extended attributes the layer carried but that could not be applied. */
  readonly xattrs: readonly RecordedXattrs[];
}

export interface UnpackSnapshotOptions extends Omit<ApplyLayerOptions, 'whiteouts'> {
  readonly expectDiffId?: string;
  readonly expectDigest?: string;
}

export interface UnpackedSnapshot {
  readonly marker: SnapshotMarker;
  /** True when `<dest>` was already complete (another build won the race) and was kept. */
  readonly reused: boolean;
}

/** The folder holding a snapshot's tree, for use as an overlay lower. */
export function snapshotTree(dest: string): string {
  return join(dest, 'fs');
}

/** The marker of a complete snapshot, or null when `dest` is missing or incomplete. */
export async function readSnapshotMarker(dest: string): Promise<SnapshotMarker | null> {
  try {
    const marker = JSON.parse(await readFile(join(dest, 'complete.json'), 'utf8')) as SnapshotMarker;
    return marker.format === SNAPSHOT_FORMAT ? marker : null;
  } catch {
    return null;
  }
}

/** Unpacks `input` into the snapshot folder `dest`; see the module comment. */
export async function unpackLayerSnapshot(input: Readable, dest: string, options: UnpackSnapshotOptions = {}): Promise<UnpackedSnapshot> {
  const existing = await readSnapshotMarker(dest);
  if (existing !== null) {
    input.destroy();
    return { marker: existing, reused: true };
  }
  const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await mkdir(snapshotTree(tmp), { recursive: true, mode: 0o700 });
    // Without root the layer's owners cannot be applied: they are kept in a table beside the tree.
    const owners = trackOwners(snapshotTree(tmp), options.lowers);
    let result: Awaited<ReturnType<typeof applyLayer>>;
    try {
      result = await applyLayer(input, snapshotTree(tmp), { ...options, whiteouts: 'overlay' });
    } finally {
      owners.untrack();
    }
    await saveSnapshotOwners(tmp, owners.table);
    verifyDigest('DiffID', options.expectDiffId, result.digests.diffId);
    verifyDigest('digest', options.expectDigest, result.digests.digest);
    const marker: SnapshotMarker = {
      format: SNAPSHOT_FORMAT,
      diffId: result.digests.diffId,
      digest: result.digests.digest,
      entries: result.entries,
      bytes: result.digests.bytes,
      xattrs: result.xattrs,
    };
    await syncFilesystem(tmp, options.onWarning);
    await writeDurably(join(tmp, 'complete.json'), JSON.stringify(marker));
    return await publish(tmp, dest, marker);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Publishes an existing tree (a step's normalized overlay upper, see upper-adopt.ts) as the
 * snapshot `dest` of the layer described by `marker`: the tree is moved in, not copied, then the
 * same sync, marker and rename as an unpack. The tree must be on the snapshots' filesystem.
 */
export async function adoptSnapshotTree(tree: string, dest: string, marker: Omit<SnapshotMarker, 'format'>): Promise<UnpackedSnapshot> {
  const existing = await readSnapshotMarker(dest);
  if (existing !== null) return { marker: existing, reused: true };
  const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await mkdir(tmp, { mode: 0o700 });
    await rename(tree, snapshotTree(tmp));
    const complete: SnapshotMarker = { format: SNAPSHOT_FORMAT, ...marker };
    await syncFilesystem(tmp);
    await writeDurably(join(tmp, 'complete.json'), JSON.stringify(complete));
    return await publish(tmp, dest, complete);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

function verifyDigest(what: string, expected: string | undefined, actual: string): void {
  if (expected !== undefined && expected !== actual) {
    throw new ArchiveError('digest-mismatch', `layer ${what} mismatch: expected ${expected}, got ${actual}`);
  }
}

/** rename(2) publishes the folder in one step; a complete `dest` that appeared meanwhile wins. */
async function publish(tmp: string, dest: string, marker: SnapshotMarker): Promise<UnpackedSnapshot> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(tmp, dest);
      await fsyncPath(dirname(dest));
      return { marker, reused: false };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt === 2) throw error;
    }
    const winner = await readSnapshotMarker(dest);
    if (winner !== null) {
      await rm(tmp, { recursive: true, force: true });
      return { marker: winner, reused: true };
    }
    // No marker: debris of an interrupted unpack (ours are only ever renamed in complete).
    await rm(dest, { recursive: true, force: true });
  }
}

/** syncfs(2) through coreutils `sync -f`: Node has no syncfs, and fsync of every file is slower. */
async function syncFilesystem(path: string, onWarning?: (message: string) => void): Promise<void> {
  try {
    await runHostCommand('sync', ['-f', path]);
  } catch (error) {
    onWarning?.(`could not sync the filesystem holding ${path}: ${(error as Error).message}`);
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
