// How the executor gets the images a build starts from (FROM) or reads from (COPY --from=image,
// RUN --mount from=image). The executor may not import lib/, so lib implements this interface
// over its image store; the layers themselves are blobs in the root's content store.
import type { LayerRef } from '../cache/key-index.js';
import type { ContainerConfig, HistoryEntry } from './image-config.js';

export interface BaseImage {
  /** The reference as written in the Dockerfile. */
  readonly ref: string;
  /** The manifest digest: the root of every cache key computed on top of the image. */
  readonly manifestDigest: string;
  readonly config: ContainerConfig;
  readonly history: readonly HistoryEntry[];
  /** Bottom first; their blobs are in the content store (compressed or not). */
  readonly layers: readonly LayerRef[];
  readonly author?: string;
}

export interface BaseImageSource {
  /** The image `ref` names; throws E_NOT_FOUND (saying how to get it) when there is none. */
  resolve(ref: string): Promise<BaseImage>;
}
