// `--cache-from`: the records of every named cache, read once when the build starts (manifest
// and description only), then served to the executor on local misses (executor/imported-cache.ts).
// A layer's blob is fetched only when `materialize` is asked for it: verified against the
// exported blob digest as it streams, unpacked, and stored under its DiffID, as a pull stores
// layers; a local record is then written, so the next build on this root hits without the cache.
// A cache that cannot be read is a warning and the build goes on without it, as with BuildKit.
import type { Json } from '../../cache/cache-key.js';
import type { ContentStore } from '../../cache/content-store.js';
import type { KeyIndex, LayerRef } from '../../cache/key-index.js';
import type { Lease } from '../../cache/lease.js';
import type { ImportedCache, ImportedRecord } from '../../executor/imported-cache.js';
import type { Descriptor } from '../image/manifest.js';
import type { Registry } from '../registry/client.js';
import { RegistryError } from '../registry/errors.js';
import { uncompressedLayer, verifiedBlobBytes } from '../registry/layer-download.js';
import { mapLimit } from '../registry/limit.js';
import { cacheReader, type CacheReader } from './cache-locations.js';
import { describeLocation, type CacheImportSpec } from './cache-spec.js';
import { cacheRecords, type LoadedRecord } from './format.js';

export interface CacheImportDeps {
  readonly content: ContentStore;
  readonly index: KeyIndex;
  readonly lease: Lease;
  readonly registry: Registry;
  readonly onWarning?: (message: string) => void;
  readonly onStatus?: (line: string) => void;
}

interface SourcedRecord extends LoadedRecord {
  readonly reader: CacheReader;
  readonly where: string;
}

const DESCRIPTION_LIMIT = 64 << 20;

export class ImportedCaches implements ImportedCache {
  private readonly fetches = new Map<string, Promise<void>>();
  /** Layer digest → the records that name it. */
  private readonly byLayer = new Map<string, SourcedRecord[]>();

  private constructor(private readonly records: ReadonlyMap<string, SourcedRecord>, private readonly deps: CacheImportDeps) {
    for (const record of records.values()) {
      if (record.layer === null) continue;
      const list = this.byLayer.get(record.layer.digest) ?? [];
      list.push(record);
      this.byLayer.set(record.layer.digest, list);
    }
  }

  /** Reads every cache's records; the first cache naming a key wins. */
  static async load(specs: readonly CacheImportSpec[], deps: CacheImportDeps): Promise<ImportedCaches> {
    const records = new Map<string, SourcedRecord>();
    const loaded = await Promise.all(specs.map((spec) => loadOne(spec, deps)));
    for (const list of loaded) for (const record of list) if (!records.has(record.key)) records.set(record.key, record);
    return new ImportedCaches(records, deps);
  }

  get size(): number {
    return this.records.size;
  }

  async get(key: string): Promise<ImportedRecord | undefined> {
    const record = this.records.get(key);
    if (record === undefined) return undefined;
    if (record.layer === null) await this.remember(record);
    return { layer: record.layer, configChange: record.configChange };
  }

  /**
   * The exported blob an imported layer came as, while the layer is not local: an export to a
   * place that has that blob already can name it without fetching the layer.
   */
  async remoteBlob(layer: LayerRef): Promise<Descriptor | undefined> {
    const record = this.byLayer.get(layer.digest)?.[0];
    if (record === undefined || (await this.deps.content.has(layer.digest))) return undefined;
    return record.blob ?? undefined;
  }

  async materialize(layers: readonly LayerRef[], signal?: AbortSignal): Promise<void> {
    const wanted = new Map<string, SourcedRecord>();
    for (const layer of layers) {
      const record = this.byLayer.get(layer.digest)?.[0];
      if (record !== undefined) wanted.set(layer.digest, record);
    }
    await mapLimit([...wanted.values()], 3, (record) => {
      signal?.throwIfAborted();
      let fetch = this.fetches.get(record.layer!.digest);
      if (fetch === undefined) {
        fetch = this.fetchLayer(record);
        this.fetches.set(record.layer!.digest, fetch);
        fetch.catch(() => this.fetches.delete(record.layer!.digest));
      }
      return fetch;
    });
  }

  private async fetchLayer(record: SourcedRecord): Promise<void> {
    const layer = record.layer!;
    const blob = record.blob!;
    await this.deps.lease.protect([layer.digest]);
    if ((await this.deps.content.verifyBlob(layer.digest)) !== 'ok') {
      this.deps.onStatus?.(`fetching cached layer ${blob.digest} (${blob.size} bytes) from ${record.where}`);
      const body = await record.reader.openBlob(blob);
      await this.deps.content.ingest(uncompressedLayer(body, blob, record.where), { expectedDigest: layer.diffId, lease: this.deps.lease }).catch((error: unknown) => {
        (body as { destroy?: () => void }).destroy?.();
        throw error;
      });
    }
    // Every record with this layer can now be a local one.
    for (const other of this.byLayer.get(layer.digest) ?? []) await this.remember(other);
  }

  private async remember(record: SourcedRecord): Promise<void> {
    const input: Json = { importedFrom: record.where };
    await this.deps.index.put({ key: record.key, layer: record.layer, configChange: record.configChange, input }).catch((error: unknown) => {
      this.deps.onWarning?.(`could not record cache entry ${record.key} locally: ${(error as Error).message}`);
    });
  }
}

async function loadOne(spec: CacheImportSpec, deps: CacheImportDeps): Promise<SourcedRecord[]> {
  const where = describeLocation(spec);
  deps.onStatus?.(`importing cache from ${where}`);
  try {
    const reader = cacheReader(spec, deps.registry);
    const manifest = await reader.manifest();
    if (manifest === undefined) {
      deps.onWarning?.(`no build cache found at ${where}`);
      return [];
    }
    const description = await readSmallBlob(reader, manifest.config, where);
    return cacheRecords(manifest, description).map((record) => ({ ...record, reader, where }));
  } catch (error) {
    deps.onWarning?.(`cannot import the build cache from ${where}: ${(error as Error).message}`);
    return [];
  }
}

async function readSmallBlob(reader: CacheReader, descriptor: Descriptor, where: string): Promise<Buffer> {
  if (descriptor.size > DESCRIPTION_LIMIT) throw new RegistryError('protocol', `${where}: the cache description of ${descriptor.size} bytes is too large`);
  const chunks: Buffer[] = [];
  for await (const chunk of verifiedBlobBytes(await reader.openBlob(descriptor), descriptor, where)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
