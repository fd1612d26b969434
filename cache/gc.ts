// Garbage collection of the build cache: disk usage, LRU prune, a size cap, and verify (fsck).
// Prune and verify hold the exclusive GC lock and honour every live build's lease (lease.ts),
// so a blob a running build needs is never removed under it. Blobs an image refers to are kept
// through `keep` (root digests) and `references` (their children), which the image store
// provides; cache/ itself knows nothing about manifests.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentStore } from './content-store.js';
import { diskUsage, folderUsage, type DiskUsage } from './disk-usage.js';
import { failpoint } from './failpoints.js';
import { KeyIndex } from './key-index.js';
import { acquireGcLock, buildsRunning, readLeasedDigests } from './lease.js';
import { planPrune, type PlanBlob, type PlanRecord } from './prune-plan.js';
import type { RootLayout } from './root.js';
import { removeStaleTempFiles, STALE_TEMP_AGE_MS } from './temp-files.js';

export type { DiskUsage, Usage } from './disk-usage.js';

/** Space used under the root, by kind. */
export function du(layout: RootLayout): Promise<DiskUsage> {
  return diskUsage(layout);
}

export interface KeepOptions {
  /** Digests that must survive (e.g. every image's manifest digest). */
  readonly keep?: Iterable<string>;
  /** The digests a kept blob refers to (a manifest's config and layers); followed transitively. */
  readonly references?: (digest: string) => Promise<Iterable<string>>;
  /** How long to wait for another GC or verify to finish; default for ever. */
  readonly lockTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface PruneOptions extends KeepOptions {
  /** Remove all unprotected build cache, not only unreferenced blobs, and step state (RUN cache mounts). */
  readonly all?: boolean;
  /** Keep what was used within this many milliseconds. */
  readonly until?: number;
  /** Remove least recently used first until blobs and records take at most this many bytes. */
  readonly keepStorage?: number;
}

export interface PruneReport {
  readonly removedBlobs: string[];
  readonly removedRecords: string[];
  readonly reclaimedBytes: number;
  readonly removedTempFiles: number;
  /** Bytes of step state (RUN cache mounts) removed by `all`; included in reclaimedBytes. */
  readonly removedStateBytes: number;
  /** `all` kept the step state because a build is running on the root. */
  readonly stateInUse: boolean;
}

export async function prune(layout: RootLayout, options: PruneOptions = {}): Promise<PruneReport> {
  const lock = await acquireGcLock(layout, { timeoutMs: options.lockTimeoutMs, signal: options.signal });
  try {
    const temp = await removeStaleTempFiles(layout.tmp, { maxAgeMs: STALE_TEMP_AGE_MS });
    const protectedDigests = await protectedSet(layout, options);
    const content = await ContentStore.open(layout);
    const index = new KeyIndex(layout);
    const [blobs, records] = [await listBlobs(content), await listRecords(index)];
    const plan = planPrune(blobs, records, protectedDigests, { ...options, now: Date.now() });
    await sweep(content, index, plan.records, plan.blobs);
    await index.removeDanglingStepPointers();
    await index.removeOrphanFileLists();
    const state = options.all ? await removeStepState(layout) : { bytes: 0, inUse: false };
    return {
      removedBlobs: plan.blobs, removedRecords: plan.records, reclaimedBytes: plan.bytes + temp.bytes + state.bytes,
      removedTempFiles: temp.removed, removedStateBytes: state.bytes, stateInUse: state.inUse,
    };
  } finally {
    await lock.release();
  }
}

/** The size cap: after a build, prune least recently used cache until it fits in `maxSize` bytes. */
export async function enforceMaxSize(layout: RootLayout, maxSize: number, options: KeepOptions = {}): Promise<PruneReport | undefined> {
  const usage = await du(layout);
  if (usage.blobs.bytes + usage.records.bytes <= maxSize) return undefined;
  return prune(layout, { ...options, keepStorage: maxSize });
}

export interface VerifyReport {
  readonly blobsChecked: number;
  /** Blobs whose bytes did not match their digest; they were removed. */
  readonly badBlobs: string[];
  readonly recordsChecked: number;
  /** Records that were damaged or pointed to a missing blob; they were removed. */
  readonly droppedRecords: { readonly key: string; readonly reason: string }[];
  readonly removedTempFiles: number;
}

/** Re-hashes every blob, drops bad blobs and the records that cannot be used, cleans tmp/. */
export async function verify(layout: RootLayout, options: Pick<KeepOptions, 'lockTimeoutMs' | 'signal'> = {}): Promise<VerifyReport> {
  const lock = await acquireGcLock(layout, { timeoutMs: options.lockTimeoutMs, signal: options.signal });
  try {
    const temp = await removeStaleTempFiles(layout.tmp, { maxAgeMs: STALE_TEMP_AGE_MS });
    await readLeasedDigests(layout);
    const content = await ContentStore.open(layout);
    const { checked: blobsChecked, bad: badBlobs } = await verifyBlobs(content);
    const index = new KeyIndex(layout);
    const { checked: recordsChecked, dropped: droppedRecords } = await verifyRecords(content, index);
    await index.removeDanglingStepPointers();
    await index.removeOrphanFileLists();
    return { blobsChecked, badBlobs, recordsChecked, droppedRecords, removedTempFiles: temp.removed };
  } finally {
    await lock.release();
  }
}

async function verifyBlobs(content: ContentStore): Promise<{ checked: number; bad: string[] }> {
  const bad: string[] = [];
  let checked = 0;
  for await (const blob of content.list()) {
    checked++;
    if ((await content.verifyBlob(blob.digest)) === 'corrupt') bad.push(blob.digest);
  }
  return { checked, bad };
}

async function verifyRecords(content: ContentStore, index: KeyIndex): Promise<{ checked: number; dropped: { key: string; reason: string }[] }> {
  const dropped: { key: string; reason: string }[] = [];
  let checked = 0;
  for await (const entry of index.entries()) {
    checked++;
    const layer = entry.record?.layer;
    const reason = entry.record === undefined ? 'damaged' : layer != null && !(await content.has(layer.digest)) ? `layer ${layer.digest} is missing` : undefined;
    if (reason === undefined) continue;
    await index.delete(entry.key);
    dropped.push({ key: entry.key, reason });
  }
  return { checked, dropped };
}

/** Kept roots and everything they refer to, plus every live lease's digests. */
async function protectedSet(layout: RootLayout, options: KeepOptions): Promise<Set<string>> {
  const marked = new Set<string>();
  const pending = [...(options.keep ?? [])];
  while (pending.length > 0) {
    const digest = pending.pop()!;
    if (marked.has(digest)) continue;
    marked.add(digest);
    if (options.references !== undefined) pending.push(...(await options.references(digest)));
  }
  for (const digest of await readLeasedDigests(layout)) marked.add(digest);
  return marked;
}

/**
 * Empties the step state folder (RUN cache mounts), unless a build is running: a cache mount has
 * no lease of its own. Called under the GC lock, so a build that starts now waits until this ends.
 */
async function removeStepState(layout: RootLayout): Promise<{ bytes: number; inUse: boolean }> {
  if (await buildsRunning(layout)) return { bytes: 0, inUse: true };
  const { bytes } = await folderUsage(layout.state);
  for (const name of await readdir(layout.state).catch(() => [] as string[])) {
    await rm(join(layout.state, name), { recursive: true, force: true });
  }
  return { bytes, inUse: false };
}

/** Records before blobs, so no record ever points to a removed blob, even after a crash here. */
async function sweep(content: ContentStore, index: KeyIndex, records: readonly string[], blobs: readonly string[]): Promise<void> {
  for (const [position, key] of records.entries()) {
    await index.delete(key);
    if (position === 0) failpoint('gc.midSweep');
  }
  for (const digest of blobs) await content.delete(digest);
}

async function listBlobs(content: ContentStore): Promise<PlanBlob[]> {
  const blobs: PlanBlob[] = [];
  for await (const blob of content.list()) blobs.push({ digest: blob.digest, bytes: blob.size, mtimeMs: blob.mtimeMs });
  return blobs;
}

async function listRecords(index: KeyIndex): Promise<PlanRecord[]> {
  const records: PlanRecord[] = [];
  for await (const entry of index.entries()) {
    const layerDigest = entry.record === undefined ? undefined : (entry.record.layer?.digest ?? null);
    records.push({ key: entry.key, bytes: entry.bytes, lastUsedMs: entry.lastUsedMs, layerDigest });
  }
  return records;
}
