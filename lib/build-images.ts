// The executor's view of the local image store: FROM and --from images by reference, with the
// manifest digest their cache keys start from. Images the store lacks are pulled from their
// registry first (`pull: 'missing'`, the default), every time (`'always'`, as `--pull`), or never
// (`'never'`: then a missing image is an E_NOT_FOUND that says how to get it into the store). The
// key root is the stored manifest's digest, which a pull derives from the registry's content,
// never the tag: a tag that moves gives new keys.
import type { BaseImage, BaseImageSource } from '../executor/base-image.js';
import type { Platform } from '../executor/image-config.js';
import { TsbuildError } from './errors.js';
import type { Registry } from './registry/client.js';
import type { ImageStore, StoredImage } from './store/image-store.js';
import type { TransferListener } from './transfer-progress.js';

export type PullPolicy = 'missing' | 'always' | 'never';

export interface ImagePulling {
  readonly policy: PullPolicy;
  /** The build's registry client, loaded on first use. */
  readonly registry: () => Promise<Registry>;
  readonly platform: Platform;
  /** Told `pulling REF` before each pull. */
  readonly onStatus?: (line: string) => void;
  /** Bytes received per layer blob, for progress bars. */
  readonly onTransfer?: TransferListener;
}

export class StoreImageSource implements BaseImageSource {
  constructor(private readonly store: ImageStore, private readonly pulling?: ImagePulling) {}

  async resolve(ref: string): Promise<BaseImage> {
    return baseImageOf(ref, await this.storedOrPulled(ref));
  }

  private async storedOrPulled(ref: string): Promise<StoredImage> {
    const policy = this.pulling?.policy ?? 'never';
    if (policy === 'always') return this.pull(ref);
    const stored = await this.store.match(ref);
    if (stored !== undefined) return stored.image;
    if (policy === 'never') throw missingImage(ref);
    try {
      return await this.pull(ref);
    } catch (error) {
      throw missingImage(ref, error);
    }
  }

  private async pull(ref: string): Promise<StoredImage> {
    const pulling = this.pulling!;
    pulling.onStatus?.(`pulling ${ref}`);
    // Loaded only when an image is missing: a build from local images never loads the pull code.
    const { pullImage } = await import('./registry/pull.js');
    const pulled = await pullImage(this.store, ref, { registry: await pulling.registry(), platform: pulling.platform, ...(pulling.onTransfer ? { onProgress: pulling.onTransfer } : {}) });
    return pulled.image;
  }
}

function baseImageOf(ref: string, image: StoredImage): BaseImage {
  return {
    ref,
    manifestDigest: image.manifestDigest,
    config: image.config.config,
    history: image.config.history ?? [],
    layers: image.layers.map((layer) => ({ digest: layer.digest, diffId: layer.diffId, size: layer.size })),
    ...(image.config.author ? { author: image.config.author } : {}),
  };
}

/** The image is not in the store; `pullError` says why pulling it did not work either. */
export function missingImage(ref: string, pullError?: unknown): TsbuildError {
  const message =
    `image ${JSON.stringify(ref)} is not in the tsbuild store` +
    (pullError !== undefined ? ` and pulling it failed: ${(pullError as Error).message}; ` : '; ') +
    `get it with "tsbuild pull ${ref}", "tsbuild load -i IMAGE.tar" (docker save / OCI archive) or "tsbuild import ROOTFS.tar ${ref}"`;
  return new TsbuildError('E_NOT_FOUND', message, pullError !== undefined ? { cause: pullError } : {});
}
