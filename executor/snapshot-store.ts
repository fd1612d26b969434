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
import { diffRootfs, layerTarStream, type PreparedRootfs, prepareRootfs, readSnapshotMarker, snapshotTree, unpackLayerSnapshot } from './snapshot/index.js';
import type { SourceTree } from './steps/types.js';

export type SnapshotLayout = Pick<RootLayout, 'snapshots' | 'tmp' | 'locks'>;

export interface SnapshotStoreOptions {
  /** The build's lease: layer blobs and chain IDs in use are added to it. */
  readonly lease?: BlobLease;
  /** `auto` (default) mounts an overlay when it can and copies otherwise. */
  readonly rootfsMode?: 'auto' | 'overlay' | 'copy';
  readonly onWarning?: (message: string) => void;
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
    let prepared: PreparedRootfs;
    try {
      await mkdir(join(scratch, 'upper'), { recursive: true, mode: 0o700 });
      await matchRootAttributes(join(scratch, 'upper'), lowers[0]);
      prepared = await prepareRootfs({ lowers, upper: join(scratch, 'upper'), scratch, mode: this.options.rootfsMode ?? 'auto' });
    } catch (error) {
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
    return { rootfs: prepared.merged, prepared, release: once(() => prepared.cleanup()) };
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
    const changes = await diffRootfs(step.prepared);
    if (changes.changes.length === 0 && !options.keepEmpty) return null;
    const blob = await this.content.ingest(layerTarStream(changes), { ...(this.options.lease ? { lease: this.options.lease } : {}), ...(signal ? { signal } : {}) });
    const layer: LayerRef = { digest: blob.digest, diffId: blob.digest, size: blob.size };
    await this.ensure([...parent, layer], signal);
    return layer;
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
    if ((await readSnapshotMarker(dir)) !== null) {
      // The folder's mtime is its last use, for pruneSnapshots' keepRecentMs.
      const now = new Date();
      await utimes(dir, now, now).catch(() => undefined);
      return dir;
    }
    const lockPath = join(this.layout.locks, `snapshot-${chainId.replace(/^sha256:/, '')}.lock`);
    const lock = await acquireLock(lockPath, { tmpDir: this.layout.tmp, purpose: `unpacking ${chainId}`, ...(signal ? { signal } : {}) });
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
  if (process.getuid?.() === 0) await chown(upper, info?.uid ?? 0, info?.gid ?? 0);
  await chmod(upper, (info?.mode ?? 0o755) & 0o7777);
}
