// Records a pulled image in the local store with the registry's config bytes unchanged, so the
// image ID (the config digest) is the one the registry and Docker show. ImageStore.commitImage
// re-serialises the config (and drops fields it does not model), hence this path: the same
// steps as the store's own commit — blobs under a lease, the record written under the GC lock,
// then tags — with a manifest naming the uncompressed layers the store keeps.
import { acquireGcLock, type Lease } from '../../cache/lease.js';
import type { LayerRef } from '../../cache/key-index.js';
import { TsbuildError } from '../errors.js';
import { ociManifest, serializeManifest } from '../image/manifest.js';
import { MediaTypes, ociLayerType } from '../image/media-types.js';
import { rfc3339 } from '../image/timestamps.js';
import type { ImageStore, StoredImage } from '../store/image-store.js';

export async function storePulledImage(store: ImageStore, configBytes: Buffer, layers: readonly LayerRef[], tag: string | undefined, lease: Lease): Promise<StoredImage> {
  const config = await store.content.ingest(configBytes, { lease });
  const descriptors = layers.map((layer) => ({ mediaType: ociLayerType('none'), digest: layer.digest, size: layer.size }));
  const manifest = ociManifest({ mediaType: MediaTypes.ociConfig, digest: config.digest, size: config.size }, descriptors);
  const manifestBlob = await store.content.ingest(serializeManifest(manifest), { lease });
  const lock = await acquireGcLock(store.layout);
  try {
    for (const layer of layers) {
      if (!(await store.content.has(layer.digest))) throw new TsbuildError('E_NOT_FOUND', `layer ${layer.digest} is not in the store`);
    }
    await store.records.putImage({ manifest: manifestBlob.digest, config: config.digest });
  } finally {
    await lock.release();
  }
  if (tag !== undefined) await store.records.putTag({ name: tag, manifest: manifestBlob.digest, time: rfc3339(new Date()) });
  return store.load(manifestBlob.digest);
}
