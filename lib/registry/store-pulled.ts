// Records a pulled image in the local store with the registry's config bytes unchanged, so the
// image ID (the config digest) is the one the registry and Docker show (ImageStore.commitRaw),
// with a manifest naming the uncompressed layers the store keeps.
import type { Lease } from '../../cache/lease.js';
import type { LayerRef } from '../../cache/key-index.js';
import type { ImageStore, StoredImage } from '../store/image-store.js';

export async function storePulledImage(store: ImageStore, configBytes: Buffer, layers: readonly LayerRef[], tag: string | undefined, lease: Lease): Promise<StoredImage> {
  return store.commitRaw(configBytes, layers, { lease, ...(tag !== undefined ? { tags: [tag] } : {}) });
}
