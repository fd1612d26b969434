// The local image store: images by manifest digest, tags naming them, blobs in the root's
// content store. Layers are kept uncompressed inside the store (digest = DiffID), so a layer is
// read once to unpack and never decompressed; exports compress as they write.
//
// Image records and tags are lockless files (records.ts). The one ordering rule is with garbage
// collection: a new image record is written while holding the GC lock and while a lease
// protects its blobs, so a prune either ran entirely before (and the lease kept the blobs) or
// starts after (and finds the record among its keep roots).
import type { Readable } from 'node:stream';
import { ContentStore } from '../../cache/content-store.js';
import type { KeepOptions } from '../../cache/gc.js';
import { acquireGcLock, Lease } from '../../cache/lease.js';
import type { LayerRef } from '../../cache/key-index.js';
import type { RootLayout } from '../../cache/root.js';
import { TsbuildError } from '../errors.js';
import { parseImageConfig, serializeImageConfig, type ImageConfig } from '../image/config.js';
import { ociManifest, parseManifest, serializeManifest, type Manifest } from '../image/manifest.js';
import { MediaTypes, ociLayerType } from '../image/media-types.js';
import { familiarString, normalizeTagName, parseReference, withDefaultTag } from '../image/reference.js';
import { rfc3339 } from '../image/timestamps.js';
import { StoreRecords, type ImageRecord, type StoreLayout, type TagRecord } from './records.js';
import { findImage, type ImageMatch } from './resolve.js';
import { unpackedLayerSizes } from './unpacked-size.js';

export interface StoredLayer extends LayerRef {
  readonly mediaType: string;
  /** What the layer takes unpacked, as Docker counts it (file contents and symlink targets). */
  readonly unpackedSize: number;
}

export interface StoredImage {
  /** The image ID Docker shows: the config digest. */
  readonly id: string;
  readonly manifestDigest: string;
  readonly manifestSize: number;
  readonly manifest: Manifest;
  readonly config: ImageConfig;
  readonly layers: readonly StoredLayer[];
  /** Tags naming this image, full form, sorted. */
  readonly tags: readonly TagRecord[];
  /** Docker's Size: the layers' unpacked sizes added up, not their tar bytes. */
  readonly size: number;
}

export interface CommitOptions {
  /** Names to tag the image with (any form Docker accepts; normalised). */
  readonly tags?: readonly string[];
  /** The build's lease, which already protects the layers; a private one is used otherwise. */
  readonly lease?: Lease;
}

export interface RawCommitOptions extends CommitOptions {
  /** The digest the source named the config by; bytes that do not match are refused (E_INTEGRITY). */
  readonly expectedConfigDigest?: string;
}

export interface RemoveResult {
  readonly untagged: string[];
  /** Image IDs whose image record was removed (their blobs stay until a prune). */
  readonly deleted: string[];
}

/** Says which container (short ID) uses an image, if any; installed by the container runner. */
export type ImageInUseCheck = (layout: StoreLayout, imageId: string) => Promise<string | undefined>;

export class ImageStore {
  /** Consulted by remove(): an image a container uses is only deleted with force. */
  static inUseCheck: ImageInUseCheck | undefined;

  readonly records: StoreRecords;

  private constructor(readonly layout: StoreLayout, readonly content: ContentStore) {
    this.records = new StoreRecords(layout);
  }

  static async open(layout: Pick<RootLayout, 'images' | 'tmp' | 'content' | 'locks' | 'leases'>): Promise<ImageStore> {
    return new ImageStore(layout, await ContentStore.open(layout));
  }

  /** The image `reference` names (tag, `name@digest`, image ID or a unique ID prefix). */
  async resolve(reference: string): Promise<StoredImage> {
    const match = await this.match(reference);
    if (match === undefined) throw noSuchImage(reference);
    return match.image;
  }

  /** Like resolve, and says whether the reference was a tag (rmi's rules depend on it). */
  async match(reference: string): Promise<ImageMatch<StoredImage> | undefined> {
    return findImage(reference, {
      tag: async (name) => {
        const tag = await this.records.getTag(name);
        return tag === undefined ? undefined : this.loadIfPresent(tag.manifest);
      },
      manifest: (digest) => this.loadIfPresent(digest),
      all: () => this.list(),
    });
  }

  /** Every image, newest first. */
  async list(): Promise<StoredImage[]> {
    const tags = await this.records.listTags();
    const images: StoredImage[] = [];
    for (const record of await this.records.listImages()) {
      const image = await this.loadRecord(record, tags).catch(() => undefined);
      if (image !== undefined) images.push(image);
    }
    return images.sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? '') || a.id.localeCompare(b.id));
  }

  /** A layer's bytes (uncompressed in the store), verified against its digest as they flow. */
  openLayer(digest: string, expectedSize?: number): Promise<Readable> {
    return this.content.createVerifiedReadStream(digest, expectedSize === undefined ? {} : { expectedSize });
  }

  /**
   * Stores an image whose layers are already in the content store: writes its config and
   * manifest blobs and its record, then its tags. Returns the stored image.
   */
  async commitImage(config: ImageConfig, layers: readonly LayerRef[], options: CommitOptions = {}): Promise<StoredImage> {
    checkDiffIds(config, layers);
    return this.commitRaw(serializeImageConfig(config), layers, options);
  }

  /**
   * commitImage for config bytes kept as they are (a pulled or loaded image keeps the ID its
   * source gave it; fields tsbuild does not model survive). The one way an image record is written:
   * blobs under a lease, the manifest naming the layers as the store keeps them, the record under
   * the GC lock, then the tags.
   */
  async commitRaw(configBytes: Uint8Array, layers: readonly LayerRef[], options: RawCommitOptions = {}): Promise<StoredImage> {
    checkDiffIds(parseImageConfig(configBytes), layers);
    const tagNames = (options.tags ?? []).map(normalizeTagName);
    const lease = options.lease ?? (await Lease.create(this.layout));
    try {
      await lease.protect(layers.map((layer) => layer.digest));
      const configBlob = await this.content.ingest(configBytes, { lease, ...(options.expectedConfigDigest ? { expectedDigest: options.expectedConfigDigest } : {}) });
      const descriptors = layers.map((layer) => ({ mediaType: ociLayerType(layer.digest === layer.diffId ? 'none' : 'gzip'), digest: layer.digest, size: layer.size }));
      const manifest = ociManifest({ mediaType: MediaTypes.ociConfig, digest: configBlob.digest, size: configBlob.size }, descriptors);
      const manifestBlob = await this.content.ingest(serializeManifest(manifest), { lease });
      // A rebuild of the same image reuses the sizes its record has (counting reads every layer).
      const known = (await this.records.getImage(manifestBlob.digest))?.layerSizes;
      const layerSizes = known?.length === layers.length ? known : await unpackedLayerSizes(this.content, layers);
      await this.putImageRecord({ manifest: manifestBlob.digest, config: configBlob.digest, layerSizes }, layers);
      for (const name of tagNames) await this.setTag(name, manifestBlob.digest);
      return await this.load(manifestBlob.digest);
    } finally {
      if (options.lease === undefined) await lease.release();
    }
  }

  /** `docker tag SOURCE TARGET`: points TARGET at the image SOURCE names. */
  async tag(source: string, target: string): Promise<StoredImage> {
    const name = normalizeTagName(target);
    const image = await this.resolve(source);
    await this.setTag(name, image.manifestDigest);
    return this.load(image.manifestDigest);
  }

  /** Removes one tag (any form); false when it did not exist. The image stays. */
  async untag(target: string): Promise<boolean> {
    return this.records.deleteTag(normalizeTagName(target));
  }

  /** `docker rmi` for one reference: untags, and removes the image once nothing names it. */
  async remove(reference: string, options: { force?: boolean } = {}): Promise<RemoveResult> {
    const match = await this.match(reference);
    if (match === undefined) throw noSuchImage(reference);
    const { image } = match;
    const lastReference = match.byTag === undefined || !image.tags.some((tag) => tag.name !== match.byTag);
    const user = lastReference && !options.force ? await ImageStore.inUseCheck?.(this.layout, image.id) : undefined;
    if (user !== undefined) throw new TsbuildError('E_STORE', `conflict: unable to delete ${shortId(image.id)} (must be forced) - image is being used by container ${user}`);
    const result: RemoveResult = { untagged: [], deleted: [] };
    if (match.byTag !== undefined) {
      if (await this.records.deleteTag(match.byTag)) result.untagged.push(match.byTag);
      if (image.tags.some((tag) => tag.name !== match.byTag)) return result;
    } else {
      const repositories = new Set(image.tags.map((tag) => repositoryOf(tag.name)));
      if (repositories.size > 1 && !options.force) {
        throw new TsbuildError('E_STORE', `conflict: unable to delete ${shortId(image.id)} (must be forced) - image is referenced in multiple repositories`);
      }
      for (const tag of image.tags) if (await this.records.deleteTag(tag.name)) result.untagged.push(tag.name);
    }
    if (await this.records.deleteImage(image.manifestDigest)) result.deleted.push(image.id);
    return result;
  }

  /** The image with that manifest digest; E_NOT_FOUND when there is no such image. */
  async load(manifestDigest: string): Promise<StoredImage> {
    const record = await this.records.getImage(manifestDigest);
    if (record === undefined) throw new TsbuildError('E_NOT_FOUND', `no image with manifest ${manifestDigest} in the store`);
    return this.loadRecord(record, await this.records.listTags());
  }

  /**
   * What a prune must keep: every image's manifest and, through `references`, its config and
   * layers. `keep` is read when the GC iterates it (while it holds its lock), not now.
   */
  keepOptions(): Pick<KeepOptions, 'keep' | 'references'> {
    const manifests = new Set<string>();
    const records = this.records;
    return {
      keep: {
        [Symbol.iterator]() {
          const digests = records.listImageManifestsSync();
          for (const digest of digests) manifests.add(digest);
          return digests[Symbol.iterator]();
        },
      },
      references: async (digest) => {
        if (!manifests.has(digest)) return [];
        const manifest = parseManifest(await this.content.readVerified(digest));
        return [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)];
      },
    };
  }

  private async setTag(name: string, manifest: string): Promise<void> {
    await this.records.putTag({ name, manifest, time: rfc3339(new Date()) });
  }

  private async putImageRecord(record: ImageRecord, layers: readonly LayerRef[]): Promise<void> {
    const lock = await acquireGcLock(this.layout);
    try {
      for (const layer of layers) {
        if (!(await this.content.has(layer.digest))) throw new TsbuildError('E_NOT_FOUND', `layer ${layer.digest} is not in the store`);
      }
      await this.records.putImage(record);
    } finally {
      await lock.release();
    }
  }

  private async loadIfPresent(manifestDigest: string): Promise<StoredImage | undefined> {
    const record = await this.records.getImage(manifestDigest);
    return record === undefined ? undefined : this.loadRecord(record, await this.records.listTags());
  }

  private async loadRecord(record: ImageRecord, allTags: readonly TagRecord[]): Promise<StoredImage> {
    const manifestBytes = await this.readBlob(record.manifest, 'manifest');
    const manifest = parseManifest(manifestBytes);
    const config = parseImageConfig(await this.readBlob(manifest.config.digest, 'config', manifest.config.size));
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) throw damaged(record.manifest, `${manifest.layers.length} layers but ${diffIds.length} DiffIDs`);
    const refs = manifest.layers.map((layer, index) => ({ digest: layer.digest, diffId: diffIds[index]!, size: layer.size }));
    const sizes = record.layerSizes?.length === refs.length ? record.layerSizes : await unpackedLayerSizes(this.content, refs);
    const layers = refs.map((layer, index) => ({ ...layer, mediaType: manifest.layers[index]!.mediaType, unpackedSize: sizes[index]! }));
    const tags = allTags.filter((tag) => tag.manifest === record.manifest);
    const size = sizes.reduce((sum, layer) => sum + layer, 0);
    return { id: manifest.config.digest, manifestDigest: record.manifest, manifestSize: manifestBytes.length, manifest, config, layers, tags, size };
  }

  private async readBlob(digest: string, what: string, expectedSize?: number): Promise<Buffer> {
    try {
      return await this.content.readVerified(digest, expectedSize === undefined ? {} : { expectedSize });
    } catch (error) {
      if (error instanceof TsbuildError && (error.code === 'E_NOT_FOUND' || error.code === 'E_INTEGRITY')) throw damaged(digest, `its ${what} blob: ${error.message}`);
      throw error;
    }
  }
}

function checkDiffIds(config: ImageConfig, layers: readonly LayerRef[]): void {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== layers.length || layers.some((layer, index) => layer.diffId !== diffIds[index])) {
    throw new TypeError('commit: the config rootfs.diff_ids do not match the layers');
  }
}

/** Docker's wording, with the name as Docker shows it (`No such image: nope:latest`). */
export function noSuchImage(reference: string): TsbuildError {
  let shown = reference;
  try {
    if (!/^(?:sha256:)?[a-f0-9]{1,64}$/.test(reference)) shown = familiarString(withDefaultTag(parseReference(reference)));
  } catch {
    // An unparsable reference is shown as typed.
  }
  return new TsbuildError('E_NOT_FOUND', `No such image: ${shown}`);
}

function damaged(digest: string, reason: string): TsbuildError {
  return new TsbuildError('E_STORE', `image ${digest} is damaged: ${reason}`);
}

/** `docker.io/library/nginx` of `docker.io/library/nginx:latest`. */
export function repositoryOf(fullTag: string): string {
  const colon = fullTag.lastIndexOf(':');
  return colon > fullTag.lastIndexOf('/') ? fullTag.slice(0, colon) : fullTag;
}

/** The 12 hex digits Docker shows for an ID. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
