// The build cache as it travels between machines (docs/build-cache.md): an OCI image manifest
// whose config blob is a cache description and whose layers are the steps' layer blobs (gzip).
// The description maps each step's cache key to its layer (an index into the manifest's layers,
// or null for a step that changed no files) and to the config change the local index records; it
// names the uncompressed digest (DiffID) and size of each layer, so a hit can stand for the layer
// before its blob is fetched. The key recipe's version travels too: a cache made by another
// recipe could only miss, so it is refused up front.
import { SCHEMA, type Json } from '../../cache/cache-key.js';
import { isDigest } from '../../cache/digest.js';
import type { LayerRef } from '../../cache/key-index.js';
import type { Descriptor, Manifest } from '../image/manifest.js';
import { MediaTypes } from '../image/media-types.js';

export const CACHE_CONFIG_TYPE = 'application/vnd.tsbuild.cache.config.v1+json';

export interface CacheLayerInfo {
  /** The uncompressed tar's digest and size: the layer as the store and the image config know it. */
  readonly diffId: string;
  readonly size: number;
}

export interface CacheRecordEntry {
  /** A step's cache key (64 hex digits). */
  readonly key: string;
  /** Index into the manifest's layers (and the description's `layers`), or null. */
  readonly layer: number | null;
  readonly configChange: Json;
}

export interface CacheDescription {
  readonly mediaType: typeof CACHE_CONFIG_TYPE;
  /** The cache-key recipe version (cache/cache-key.ts SCHEMA). */
  readonly keySchema: number;
  readonly layers: readonly CacheLayerInfo[];
  readonly records: readonly CacheRecordEntry[];
}

/** A record ready for the executor: the layer as the local store will hold it once fetched. */
export interface LoadedRecord {
  readonly key: string;
  readonly layer: LayerRef | null;
  /** The blob to fetch for the layer (gzip as exported). */
  readonly blob: Descriptor | null;
  readonly configChange: Json;
}

export function serializeDescription(description: CacheDescription): Buffer {
  return Buffer.from(JSON.stringify(description), 'utf8');
}

/**
 * Checks a cache's manifest and description and joins them into records. Throws a TypeError
 * saying what is wrong; nothing from a cache that fails a check is used.
 */
export function cacheRecords(manifest: Manifest, descriptionBytes: Buffer): LoadedRecord[] {
  if (manifest.config.mediaType !== CACHE_CONFIG_TYPE) throw new TypeError(`not a tsbuild build cache (config media type ${JSON.stringify(manifest.config.mediaType)})`);
  const description = JSON.parse(descriptionBytes.toString('utf8')) as Partial<CacheDescription>;
  if (typeof description !== 'object' || description === null || description.mediaType !== CACHE_CONFIG_TYPE) throw new TypeError('the cache description has the wrong media type');
  if (description.keySchema !== SCHEMA) throw new TypeError(`the cache was made with cache key schema ${String(description.keySchema)}, this tsbuild uses ${SCHEMA}`);
  if (!Array.isArray(description.layers) || description.layers.length !== manifest.layers.length) throw new TypeError('the cache description and manifest list different layers');
  if (!Array.isArray(description.records)) throw new TypeError('the cache description has no records');
  const layers = description.layers.map((info, index) => checkedLayer(info, manifest.layers[index]!, index));
  return description.records.map((entry) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.key !== 'string' || !/^[a-f0-9]{64}$/.test(entry.key)) throw new TypeError('a cache record has an invalid key');
    if (entry.layer !== null && !(Number.isSafeInteger(entry.layer) && entry.layer >= 0 && entry.layer < layers.length)) throw new TypeError(`cache record ${entry.key} names no layer of the cache`);
    const layer = entry.layer === null ? undefined : layers[entry.layer]!;
    return { key: entry.key, layer: layer?.ref ?? null, blob: layer?.blob ?? null, configChange: entry.configChange ?? null };
  });
}

function checkedLayer(info: CacheLayerInfo, blob: Descriptor, index: number): { ref: LayerRef; blob: Descriptor } {
  if (typeof info !== 'object' || info === null || !isDigest(info.diffId) || !Number.isSafeInteger(info.size) || info.size < 0) throw new TypeError(`cache layer ${index} is not described`);
  if (blob.mediaType !== MediaTypes.ociLayerGzip && blob.mediaType !== MediaTypes.ociLayer) throw new TypeError(`cache layer ${index} has media type ${JSON.stringify(blob.mediaType)}`);
  return { ref: { digest: info.diffId, diffId: info.diffId, size: info.size }, blob };
}
