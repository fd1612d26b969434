// A pulled layer's bytes on their way into the store: the registry's (possibly gzip) blob is
// hashed and size-checked as it streams, then decompressed; the store keeps the uncompressed tar,
// whose digest ingest checks against the config's DiffID. The generator only finishes once the
// compressed digest has been checked too, so ingest never publishes a blob from bad bytes.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Descriptor } from '../image/manifest.js';
import { layerCompression } from '../image/media-types.js';
import { RegistryError } from './errors.js';

/** The descriptor's bytes as received, failing at the end (or at the first byte too many) when they are not what it names. */
export async function* verifiedBlobBytes(body: AsyncIterable<Buffer>, descriptor: Descriptor, where: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of brokenAsDownloadError(body, descriptor, where)) {
    size += chunk.length;
    if (size > descriptor.size) throw new RegistryError('integrity', `${where}: blob ${descriptor.digest} is larger than the ${descriptor.size} bytes its descriptor says`);
    hash.update(chunk);
    yield chunk;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (size !== descriptor.size) throw new RegistryError('integrity', `${where}: blob ${descriptor.digest} ended after ${size} of ${descriptor.size} bytes`);
  if (digest !== descriptor.digest) throw new RegistryError('integrity', `${where}: blob digest mismatch: expected ${descriptor.digest}, received ${digest}`);
}

/** The layer's uncompressed tar bytes, from a verified download. */
export async function* uncompressedLayer(body: AsyncIterable<Buffer>, descriptor: Descriptor, where: string): AsyncGenerator<Buffer> {
  const compressed = verifiedBlobBytes(body, descriptor, where);
  const compression = layerCompression(descriptor.mediaType);
  if (compression === 'none') return yield* compressed;
  if (compression !== 'gzip') throw new RegistryError('protocol', `${where}: layer media type ${descriptor.mediaType} is not supported`);
  const gunzip = createGunzip();
  const piping = pipeline(Readable.from(compressed), gunzip);
  piping.catch(() => undefined); // awaited below, after the output is drained
  try {
    yield* gunzip as AsyncIterable<Buffer>;
  } catch (error) {
    // A failure upstream (wrong bytes, a broken connection) explains a gunzip error better than zlib's message.
    const upstream = await piping.then(() => undefined, (caught: unknown) => caught);
    if (upstream instanceof RegistryError) throw upstream;
    throw new RegistryError('integrity', `${where}: layer ${descriptor.digest} is not valid gzip: ${(error as Error).message}`, undefined, { cause: error });
  }
  await piping;
}

/** A connection that broke while a blob's body was flowing; a download may start over after it. */
export class BrokenDownload extends RegistryError {}

async function* brokenAsDownloadError(body: AsyncIterable<Buffer>, descriptor: Descriptor, where: string): AsyncGenerator<Buffer> {
  try {
    yield* body;
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new BrokenDownload('network', `${where}: the connection broke while downloading ${descriptor.digest}: ${(error as Error).message}`, undefined, { cause: error });
  }
}
