// An image from the store made ready to leave it: its layers compressed as asked, and the config
// and manifest blobs that describe them. Layers are kept uncompressed in the store (digest =
// DiffID); with `compression: 'none'` the exported manifest is the stored one byte for byte.
// gzip is deterministic: zlib writes no time or name into the header and the level is fixed, so
// the same layer always compresses to the same blob and the same build gives the same digests.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { tempFileName } from '../../cache/atomic-file.js';
import { DigestMeter } from '../../executor/snapshot/index.js';
import { ociManifest, serializeManifest, type Descriptor, type Manifest } from '../image/manifest.js';
import { MediaTypes, ociLayerType } from '../image/media-types.js';
import type { ImageStore, StoredImage } from '../store/image-store.js';
import { UsageError } from '../errors.js';

export type ExportCompression = 'none' | 'gzip';

export interface ExportOptions {
  readonly compression?: ExportCompression;
  /** gzip level 0-9 (default 6, zlib's default, fixed so output is reproducible). */
  readonly compressionLevel?: number;
  readonly signal?: AbortSignal;
}

/** One blob of an export: its descriptor fields and a way to read its bytes. */
export interface ExportBlob {
  readonly digest: string;
  readonly size: number;
  open(): Promise<Readable>;
}

export interface ExportedImage {
  readonly image: StoredImage;
  readonly manifest: Manifest;
  readonly manifestBytes: Buffer;
  readonly manifestDescriptor: Descriptor;
  readonly configBytes: Buffer;
  /** Layers in manifest order (compressed as the manifest says). */
  readonly layers: readonly ExportBlob[];
}

/** Temp files an export made; removed once the archive is written. */
export class ExportScratch {
  private readonly files: string[] = [];

  constructor(private readonly tmpDir: string) {}

  path(): string {
    const path = join(this.tmpDir, tempFileName());
    this.files.push(path);
    return path;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.files.splice(0).map((path) => rm(path, { force: true })));
  }
}

export async function exportImage(store: ImageStore, image: StoredImage, scratch: ExportScratch, options: ExportOptions = {}): Promise<ExportedImage> {
  const compression = options.compression ?? 'gzip';
  const level = checkLevel(options.compressionLevel);
  const configBytes = await store.content.readVerified(image.id, { expectedSize: image.manifest.config.size });
  const layers: ExportBlob[] = [];
  const descriptors: Descriptor[] = [];
  for (const layer of image.layers) {
    const blob = compression === 'none'
      ? { digest: layer.digest, size: layer.size, open: () => store.openLayer(layer.digest, layer.size) }
      : await gzipLayer(store, layer.digest, layer.size, scratch.path(), level);
    layers.push(blob);
    descriptors.push({ mediaType: ociLayerType(compression), digest: blob.digest, size: blob.size });
  }
  const manifest = compression === 'none' ? image.manifest : ociManifest(image.manifest.config, descriptors);
  const manifestBytes = compression === 'none' ? await store.content.readVerified(image.manifestDigest) : serializeManifest(manifest);
  const manifestDescriptor = { mediaType: MediaTypes.ociManifest, digest: sha256Digest(manifestBytes), size: manifestBytes.length };
  return { image, manifest, manifestBytes, manifestDescriptor, configBytes, layers };
}

function checkLevel(level: number | undefined): number {
  if (level === undefined) return 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new UsageError(`invalid compression level ${level}: expected 0 to 9`);
  return level;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function gzipLayer(store: ImageStore, digest: string, size: number, path: string, level: number): Promise<ExportBlob> {
  const meter = new DigestMeter();
  const file = await open(path, 'wx', 0o600);
  try {
    await pipeline(await store.openLayer(digest, size), createGzip({ level }), meter, file.createWriteStream());
  } finally {
    await file.close().catch(() => undefined);
  }
  return { digest: meter.digest(), size: meter.bytes, open: async () => createReadStream(path) };
}
