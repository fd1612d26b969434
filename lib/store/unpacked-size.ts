// An image's Size as Docker reports it in `docker images` and `docker inspect`: what its layers
// take once unpacked, not the tar bytes. For each layer Docker walks the unpacked diff and adds up
// lstat sizes of everything but folders, each inode once: regular file contents plus the length of
// each symlink's target; hard links, devices, FIFOs and whiteouts add nothing. Layers are added
// up as they are, so a file a later layer replaces counts twice. (Checked against dockerd 26 with
// overlay2: busybox's one layer is 1982365 bytes of files plus 1876 of symlink targets, Size
// 1984241, while its tar is 2129920 bytes.)
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import type { ContentStore } from '../../cache/content-store.js';
import type { LayerRef } from '../../cache/key-index.js';
import { decompressedLayer } from '../image/layer-input.js';

/** A layer's size by digest: layers are immutable, so one reading serves the process. */
const known = new Map<string, number>();

/** The layer's unpacked size, read from its tar headers (contents are skipped, not summed). */
export async function unpackedLayerSize(content: ContentStore, layer: LayerRef): Promise<number> {
  const cached = known.get(layer.digest);
  if (cached !== undefined) return cached;
  const input = await content.createVerifiedReadStream(layer.digest, { expectedSize: layer.size });
  let size = 0;
  const extract = tarStream.extract();
  extract.on('entry', (header, body, next) => {
    if (header.type === 'file' || header.type === 'contiguous-file') size += header.size ?? 0;
    else if (header.type === 'symlink') size += Buffer.byteLength(header.linkname ?? '');
    body.on('end', next);
    body.resume();
  });
  await pipeline(Readable.from(decompressedLayer(input, Number.MAX_SAFE_INTEGER)), extract);
  known.set(layer.digest, size);
  return size;
}

/** Each layer's unpacked size, in order; an image's Size is their sum. */
export async function unpackedLayerSizes(content: ContentStore, layers: readonly LayerRef[]): Promise<number[]> {
  const sizes: number[] = [];
  for (const layer of layers) sizes.push(await unpackedLayerSize(content, layer));
  return sizes;
}
