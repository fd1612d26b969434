// Unpacked layers under the root's `snapshots` folder, one folder per layer chain, named by the
// chain's OCI ChainID (a snapshot's overlay-format tree only means something on top of its exact
// parents, because opaque folders and whiteouts were resolved against them). Each folder is made
// by unpackLayerSnapshot (temp folder, digest checks, completion marker, rename), under a per-chain
// lock so two builds sharing the root unpack a chain once. While a build uses a chain its blobs and
// ChainIDs are named in the build's lease, so a prune that starts meanwhile keeps them.
//
// Steps get their rootfs here (`prepareStepRootfs`: an overlay over the chain's snapshots, topmost
// first, or a copy where overlay is unavailable) and turn it into a layer (`commitStep`): the diff is
// streamed as an uncompressed tar into the content store (digest = DiffID), then unpacked as the
// next chain's snapshot. Step folders are temp names under tmp/, so a killed build's are swept.
import { createHash } from 'node:crypto';
import { chmod, chown, lstat, mkdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { tempFileName } from '../cache/atomic-file.js';
import type { ContentStore } from '../cache/content-store.js';
import type { LayerRef } from '../cache/key-index.js';
import type { BlobLease } from '../cache/content-store.js';
import { acquireLock } from '../cache/lock.js';
import type { RootLayout } from '../cache/root.js';
import type { Change, PreparedOverlay, PreparedRootfs } from './snapshot/index.js';
import { recordsOwners, trackOwners } from './snapshot/owner-table.js';
import type { SourceTree } from './steps/types.js';

// The snapshot machinery (overlay mounts, layer tar reader and writer) is loaded on first use: a
// build whose steps all come from the cache never needs it, and loading it costs start-up time.
const snapshotLib = (): Promise<typeof import('./snapshot/index.js')> => import('./snapshot/index.js');

export type SnapshotLayout = Pick<RootLayout, 'snapshots' | 'tmp' | 'locks'>;

export interface SnapshotStoreOptions {
  /** The build's lease: layer blobs and chain IDs in use are added to it. */
  readonly lease?: BlobLease;
  /** `auto` (default) mounts an overlay when it can and copies otherwise. */
  readonly rootfsMode?: 'auto' | 'overlay' | 'copy';
  readonly onWarning?: (message: string) => void;
  /**
   * Layer entries' mtimes are clamped to this (seconds since 1970; SOURCE_DATE_EPOCH when the build
   * has one). Default 0: every time a step writes becomes 1970-01-01, so a layer depends only on
   * what its cache key names and two fresh roots make the same bytes. null keeps the times files
   * had when the step ended (BuildKit's default, which makes every build's layers differ).
   */
  readonly layerEpoch?: number | null;
}

/** A step's writable filesystem: `rootfs` is what the step sees and changes. */
export interface StepRootfs {
  readonly rootfs: string;
  readonly prepared: PreparedRootfs;
  /** Unmounts and removes everything prepared for the step; safe to call twice. */
  release(): Promise<void>;
}

/** The OCI ChainIDs of a layer list, bottom first: chain(0) = diffId(0), chain(n) = sha256(chain(n-1) + " " + diffId(n)). */
export function chainIds(layers: readonly LayerRef[]): string[] {
  const ids: string[] = [];
  for (const layer of layers) {
    const previous = ids.at(-1);
    ids.push(previous === undefined ? layer.diffId : `sha256:${createHash('sha256').update(`${previous} ${layer.diffId}`).digest('hex')}`);
  }
  return ids;
}

export class SnapshotStore {
  /** Chains being unpacked right now by this process, so concurrent stages share one unpack. */
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly layout: SnapshotLayout, private readonly content: ContentStore, private readonly options: SnapshotStoreOptions = {}) {}

  /** What commitStep clamps layer times to (null: not clamped); step keys include it. */
  get layerEpoch(): number | null {
    return this.options.layerEpoch === undefined ? 0 : this.options.layerEpoch;
  }

  /** The snapshot folder of the chain ending in `layers`' last layer. */
  snapshotDir(chainId: string): string {
    return join(this.layout.snapshots, chainId.replace(/^sha256:/, ''));
  }

  /** Names layer blobs in the build's lease (a cache hit's layer, before it is checked and used). */
  async protect(layers: readonly LayerRef[]): Promise<void> {
    await this.options.lease?.protect(layers.map((layer) => layer.digest));
  }

  /** Makes sure every prefix of `layers` is unpacked; returns the snapshot trees, topmost first. */
  async ensure(layers: readonly LayerRef[], signal?: AbortSignal): Promise<string[]> {
    const ids = chainIds(layers);
    const { snapshotTree } = await snapshotLib();
    await this.options.lease?.protect([...layers.map((layer) => layer.digest), ...ids]);
    const trees: string[] = [];
    for (const [index, layer] of layers.entries()) {
      signal?.throwIfAborted();
      const dir = await this.ensureOne(ids[index]!, layer, [...trees].reverse(), signal);
      trees.push(snapshotTree(dir));
    }
    return trees.reverse();
  }

  /** A writable rootfs over `layers` for one step. */
  async prepareStepRootfs(layers: readonly LayerRef[], signal?: AbortSignal): Promise<StepRootfs> {
    const lowers = await this.ensure(layers, signal);
    const scratch = join(this.layout.tmp, tempFileName());
    const { prepareRootfs } = await snapshotLib();
    let prepared: PreparedRootfs;
    try {
      await mkdir(join(scratch, 'upper'), { recursive: true, mode: 0o700 });
      await matchRootAttributes(join(scratch, 'upper'), lowers[0]);
      prepared = await prepareRootfs({ lowers, upper: join(scratch, 'upper'), scratch, mode: this.options.rootfsMode ?? 'auto' });
    } catch (error) {
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
    // Without root, owners the step's writers cannot set are recorded for its layer (owner-table.ts).
    const owners = trackOwners(prepared.merged, lowers);
    const release = once(async () => {
      owners.untrack();
      await prepared.cleanup();
    });
    return { rootfs: prepared.merged, prepared, release };
  }

  /** A read-only view of `layers` (another stage or an image) for COPY --from and mounts. */
  async openTree(layers: readonly LayerRef[], signal?: AbortSignal): Promise<SourceTree> {
    const step = await this.prepareStepRootfs(layers, signal);
    return { dir: step.rootfs, release: step.release };
  }

  /**
   * The step's changes as a layer on top of `parent`: stored uncompressed in the content store and
   * unpacked as the next chain's snapshot. When the step changed no files: null, unless `keepEmpty`
   * (then the empty tar, as BuildKit keeps for a layer-producing step that changed nothing).
   */
  async commitStep(step: StepRootfs, parent: readonly LayerRef[], options: { keepEmpty?: boolean; signal?: AbortSignal } = {}): Promise<LayerRef | null> {
    const { signal } = options;
    const { diffRootfs, layerTarStream } = await snapshotLib();
    const changes = await diffRootfs(step.prepared);
    if (changes.changes.length === 0 && !options.keepEmpty) return null;
    const epoch = this.layerEpoch;
    const blob = await this.content.ingest(layerTarStream(changes, epoch === null ? {} : { sourceDateEpoch: epoch }), { ...(this.options.lease ? { lease: this.options.lease } : {}), ...(signal ? { signal } : {}) });
    const layer: LayerRef = { digest: blob.digest, diffId: blob.digest, size: blob.size };
    if (step.prepared.kind === 'overlay') await this.adoptUpper(step.prepared, [...parent, layer], changes.changes);
    await this.ensure([...parent, layer], signal);
    return layer;
  }

  /**
   * Makes the step's overlay upper the new chain's snapshot (upper-adopt.ts) rather than unpacking
   * the layer again. Any failure leaves it to ensure(), which then unpacks the stored layer.
   */
  private async adoptUpper(prepared: PreparedOverlay, layers: readonly LayerRef[], changes: readonly Change[]): Promise<void> {
    const chainId = chainIds(layers).at(-1)!;
    const layer = layers.at(-1)!;
    await this.options.lease?.protect([layer.digest, chainId]);
    const dir = this.snapshotDir(chainId);
    const { adoptSnapshotTree, normalizeUpper, readSnapshotMarker } = await snapshotLib();
    if ((await readSnapshotMarker(dir)) !== null) return;
    const lock = await acquireLock(this.chainLockPath(chainId), { tmpDir: this.layout.tmp, purpose: `adopting ${chainId}` });
    try {
      await prepared.detach();
      await normalizeUpper(prepared.upper, changes.filter((change) => change.kind === 'delete').map((change) => change.path), this.layerEpoch);
      await adoptSnapshotTree(prepared.upper, dir, { diffId: layer.diffId, digest: layer.digest, entries: changes.length, bytes: layer.size, xattrs: [] });
    } catch (error) {
      this.options.onWarning?.(`could not keep the step's changes as snapshot ${chainId}, unpacking its layer instead: ${(error as Error).message}`);
    } finally {
      await lock.release();
    }
  }

  private chainLockPath(chainId: string): string {
    return join(this.layout.locks, `snapshot-${chainId.replace(/^sha256:/, '')}.lock`);
  }

  private ensureOne(chainId: string, layer: LayerRef, lowers: readonly string[], signal?: AbortSignal): Promise<string> {
    let pending = this.pending.get(chainId);
    if (pending === undefined) {
      pending = this.unpackLocked(chainId, layer, lowers, signal);
      this.pending.set(chainId, pending);
      // Shared only while it runs: later calls look at the folder again (it may have been pruned).
      const forget = (): void => void this.pending.delete(chainId);
      pending.then(forget, forget);
    }
    return pending;
  }

  private async unpackLocked(chainId: string, layer: LayerRef, lowers: readonly string[], signal?: AbortSignal): Promise<string> {
    const dir = this.snapshotDir(chainId);
    const { readSnapshotMarker, unpackLayerSnapshot } = await snapshotLib();
    if ((await readSnapshotMarker(dir)) !== null) {
      // The folder's mtime is its last use, for pruneSnapshots' keepRecentMs.
      const now = new Date();
      await utimes(dir, now, now).catch(() => undefined);
      return dir;
    }
    const lock = await acquireLock(this.chainLockPath(chainId), { tmpDir: this.layout.tmp, purpose: `unpacking ${chainId}`, ...(signal ? { signal } : {}) });
    try {
      if ((await readSnapshotMarker(dir)) !== null) return dir;
      const input = await this.content.createVerifiedReadStream(layer.digest, { expectedSize: layer.size });
      await unpackLayerSnapshot(input, dir, {
        lowers,
        expectDiffId: layer.diffId,
        expectDigest: layer.digest,
        label: `layer ${layer.digest}`,
        archiveBytes: layer.size,
        ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
        ...(signal ? { signal } : {}),
      });
      return dir;
    } finally {
      await lock.release();
    }
  }
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}

/**
 * An overlay's root folder takes its mode and owner from the upper folder, so the upper (made
 * private above) gets the topmost lower's instead: else `/` would be 0700 and any USER but root
 * could not run anything. Without lowers (FROM scratch) the root is 0755 root:root, as BuildKit's.
 */
async function matchRootAttributes(upper: string, topLower: string | undefined): Promise<void> {
  const info = topLower === undefined ? undefined : await lstat(topLower);
  // Without root the upper is ours and the user namespace maps it; only root can (and must) chown.
  if (!recordsOwners()) await chown(upper, info?.uid ?? 0, info?.gid ?? 0);
  await chmod(upper, (info?.mode ?? 0o755) & 0o7777);
}
