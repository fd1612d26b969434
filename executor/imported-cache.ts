// Cache records a build imports from elsewhere (`--cache-from`: a registry, a folder), consulted
// when the local index misses. A hit from such a record hands back its layer without fetching it:
// most hits only advance the chain of keys, and the blob is needed only when a later step runs on
// top of it, another step copies from it, or the image is written. Whoever needs layers asks
// `materialize` first, which fetches the imported ones that are not in the content store yet.
import type { Json } from '../cache/cache-key.js';
import type { LayerRef } from '../cache/key-index.js';

export interface ImportedRecord {
  /** The layer the step produced (its blob may not be local yet), or null for none. */
  readonly layer: LayerRef | null;
  /** What the step changed in the image config, as the local index records it. */
  readonly configChange: Json;
}

export interface ImportedCache {
  get(key: string): Promise<ImportedRecord | undefined>;
  /** Puts into the content store the blobs of those `layers` that came from an imported record and are missing. */
  materialize(layers: readonly LayerRef[], signal?: AbortSignal): Promise<void>;
}

/** A step that produced or reused a layer, as the build's cache export needs it. */
export interface UsedStep {
  readonly stage: number;
  readonly key: string;
  readonly layer: LayerRef | null;
  readonly configChange: Json;
}
