// The executor's view of the local image store: FROM and --from images by reference, with the
// manifest digest their cache keys start from. A missing image is an E_NOT_FOUND that says how to
// get it into the store (tsbuild builds offline from its own store).
import type { BaseImage, BaseImageSource } from '../executor/base-image.js';
import { TsbuildError } from './errors.js';
import type { ImageStore, StoredImage } from './store/image-store.js';

export class StoreImageSource implements BaseImageSource {
  constructor(private readonly store: ImageStore) {}

  async resolve(ref: string): Promise<BaseImage> {
    let image: StoredImage;
    try {
      image = await this.store.resolve(ref);
    } catch (error) {
      if (error instanceof TsbuildError && error.code === 'E_NOT_FOUND') throw missingImage(ref, error);
      throw error;
    }
    return {
      ref,
      manifestDigest: image.manifestDigest,
      config: image.config.config,
      history: image.config.history ?? [],
      layers: image.layers.map((layer) => ({ digest: layer.digest, diffId: layer.diffId, size: layer.size })),
      ...(image.config.author ? { author: image.config.author } : {}),
    };
  }
}

export function missingImage(ref: string, cause?: unknown): TsbuildError {
  const message =
    `image ${JSON.stringify(ref)} is not in the tsbuild store; get it first with ` +
    `"tsbuild pull ${ref}", "tsbuild load -i IMAGE.tar" (docker save / OCI archive) or "tsbuild import ROOTFS.tar ${ref}"`;
  return new TsbuildError('E_NOT_FOUND', message, { cause });
}
