// `tsbuild push`: uploads a stored image under its tag. The store keeps layers uncompressed, so
// each is gzip-compressed (node zlib) into a temp file first: that gives the digest to ask the
// registry about (HEAD, then a cross-repository mount when a source repository is known) and a
// body that retries can read again. Config next, then the manifest PUT by tag.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { tempFileName } from '../../cache/atomic-file.js';
import type { LayerRef } from '../../cache/key-index.js';
import { UsageError } from '../errors.js';
import { ociManifest, serializeManifest, type Descriptor } from '../image/manifest.js';
import { MediaTypes } from '../image/media-types.js';
import { formatReference, parseReference, withDefaultTag } from '../image/reference.js';
import type { ImageStore, StoredLayer } from '../store/image-store.js';
import { Registry, type Repository, type RegistryOptions } from './client.js';
import { mapLimit } from './limit.js';

export interface PushOptions extends RegistryOptions {
  readonly registry?: Registry;
  /** Blobs uploaded at once (default 3). */
  readonly concurrency?: number;
  /** Upload in PATCH chunks of this many bytes when a blob is larger; one PUT otherwise. */
  readonly chunkSize?: number;
  /** Repositories of the same registry that may already hold the layers (mounts are tried from them). */
  readonly mountFrom?: readonly string[];
}

export type BlobAction = 'exists' | 'mounted' | 'uploaded';

export interface PushResult {
  readonly reference: string;
  readonly digest: string;
  readonly size: number;
  readonly blobs: readonly { digest: string; action: BlobAction }[];
}

export async function pushImage(store: ImageStore, referenceText: string, options: PushOptions = {}): Promise<PushResult> {
  const reference = withDefaultTag(parseReference(referenceText));
  if (reference.tag === undefined) throw new UsageError(`cannot push ${referenceText}: name a tag, not a digest`);
  const image = await store.resolve(referenceText);
  const repository = (options.registry ?? new Registry(options)).repository(reference.domain, reference.path, 'push');
  const layers = await mapLimit(image.layers, options.concurrency ?? 3, (layer) => pushLayer(store, repository, layer, options));
  const configBytes = await store.content.readVerified(image.id);
  const config: Descriptor = { mediaType: image.manifest.config.mediaType, digest: image.id, size: configBytes.length };
  const configAction = await pushBuffer(repository, config.digest, configBytes, options);
  const manifestBytes = serializeManifest(ociManifest(config, layers.map((layer) => layer.descriptor)));
  const digest = await repository.putManifest(reference.tag, manifestBytes, MediaTypes.ociManifest);
  return {
    reference: formatReference(reference),
    digest,
    size: manifestBytes.length,
    blobs: [...layers.map((layer) => ({ digest: layer.descriptor.digest, action: layer.action })), { digest: config.digest, action: configAction }],
  };
}

async function pushLayer(store: ImageStore, repository: Repository, layer: StoredLayer, options: PushOptions): Promise<{ descriptor: Descriptor; action: BlobAction }> {
  const file = join(store.layout.tmp, `push-${tempFileName()}`);
  try {
    const { digest, size } = await compressLayer(store, layer, file);
    const descriptor: Descriptor = { mediaType: MediaTypes.ociLayerGzip, digest, size };
    const action = await ensureBlob(repository, digest, options, () =>
      repository.uploadBlob(digest, size, (start, end) => createReadStream(file, { start, end: end - 1 }), options.chunkSize));
    return { descriptor, action };
  } finally {
    await rm(file, { force: true });
  }
}

/** Gzips the stored (verified) layer into `file`, hashing what is written (also used by cache export). */
export async function compressLayer(store: Pick<ImageStore, 'content'>, layer: LayerRef, file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  // A layer stored compressed already is sent as it is.
  const steps = layer.digest === layer.diffId ? [createGzip(), counter] : [counter];
  await store.content.withVerifiedStream(layer.digest, (stream) => pipeline(stream, ...(steps as [Transform]), createWriteStream(file, { mode: 0o600 })));
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

async function pushBuffer(repository: Repository, digest: string, bytes: Buffer, options: PushOptions): Promise<BlobAction> {
  return ensureBlob(repository, digest, options, () => repository.uploadBlob(digest, bytes.length, (start, end) => bufferStream(bytes.subarray(start, end)), options.chunkSize));
}

/** HEAD, then a mount from each candidate repository, then the upload. */
async function ensureBlob(repository: Repository, digest: string, options: PushOptions, upload: () => Promise<void>): Promise<BlobAction> {
  if (await repository.hasBlob(digest)) return 'exists';
  for (const from of options.mountFrom ?? []) {
    if (from !== repository.path && (await repository.mountBlob(digest, from))) return 'mounted';
  }
  await upload();
  return 'uploaded';
}

function bufferStream(bytes: Buffer): Readable {
  return Readable.from([bytes]);
}
