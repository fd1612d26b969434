// An image from the store made ready to leave it: its layers compressed as asked, and the config
// and manifest blobs that describe them. Layers are kept uncompressed in the store (digest =
// DiffID); with `compression: 'none'` the exported manifest is the stored one byte for byte.
// gzip is deterministic: zlib writes no time or name into the header and the level is fixed, so
// the same layer always compresses to the same blob and the same build gives the same digests.
// With rewrite-timestamp the layers are rewritten (rewrite-timestamp.ts) and so is the config's
// rootfs.diff_ids, as BuildKit's exporter does.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { tempFileName } from '../../cache/atomic-file.js';
import { DigestMeter } from '../../executor/snapshot/index.js';
import { ociManifest, serializeManifest, type Descriptor, type Manifest } from '../image/manifest.js';
import { MediaTypes, ociLayerType } from '../image/media-types.js';
import type { ImageStore, StoredImage, StoredLayer } from '../store/image-store.js';
import { serializeImageConfig } from '../image/config.js';
import { ClampMtimes } from './rewrite-timestamp.js';
import { UsageError } from '../errors.js';

export type ExportCompression = 'none' | 'gzip';

export interface ExportOptions {
  readonly compression?: ExportCompression;
  /** gzip level 0-9 (default 6, zlib's default, fixed so output is reproducible). */
  readonly compressionLevel?: number;
  /** BuildKit's rewrite-timestamp: layer entry mtimes later than this (seconds) are set to it. */
  readonly rewriteTimestamp?: number;
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
  const epoch = options.rewriteTimestamp;
  const stored = await store.content.readVerified(image.id, { expectedSize: image.manifest.config.size });
  if (compression === 'none' && epoch === undefined) {
    // The stored image as it is: the exported digests are the store's.
    const layers = image.layers.map((layer) => ({ digest: layer.digest, size: layer.size, open: () => store.openLayer(layer.digest, layer.size) }));
    const manifestBytes = await store.content.readVerified(image.manifestDigest);
    return { image, manifest: image.manifest, manifestBytes, manifestDescriptor: manifestDescriptorOf(manifestBytes), configBytes: stored, layers };
  }
  const layers: ExportBlob[] = [];
  const diffIds: string[] = [];
  for (const layer of image.layers) {
    const written = await writeLayer(store, layer, scratch.path(), { compression, level, ...(epoch !== undefined ? { epoch } : {}) });
    layers.push(written.blob);
    diffIds.push(written.diffId);
  }
  const configBytes = epoch === undefined ? stored : serializeImageConfig({ ...image.config, rootfs: { type: 'layers', diff_ids: diffIds } });
  const config = epoch === undefined ? image.manifest.config : { mediaType: MediaTypes.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length };
  const manifest = ociManifest(config, layers.map((blob) => ({ mediaType: ociLayerType(compression), digest: blob.digest, size: blob.size })));
  const manifestBytes = serializeManifest(manifest);
  return { image, manifest, manifestBytes, manifestDescriptor: manifestDescriptorOf(manifestBytes), configBytes, layers };
}

function manifestDescriptorOf(bytes: Buffer): Descriptor {
  return { mediaType: MediaTypes.ociManifest, digest: sha256Digest(bytes), size: bytes.length };
}

function checkLevel(level: number | undefined): number {
  if (level === undefined) return 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new UsageError(`invalid compression level ${level}: expected 0 to 9`);
  return level;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

interface LayerWrite {
  readonly compression: ExportCompression;
  readonly level: number;
  /** rewrite-timestamp: clamp entry mtimes to this (seconds). */
  readonly epoch?: number;
}

/** The layer into a temp file, mtimes clamped and gzip applied as asked; its blob and DiffID. */
async function writeLayer(store: ImageStore, layer: StoredLayer, path: string, how: LayerWrite): Promise<{ blob: ExportBlob; diffId: string }> {
  const diff = new DigestMeter();
  const blob = new DigestMeter();
  const stages: Transform[] = [...(how.epoch !== undefined ? [new ClampMtimes(how.epoch)] : []), diff, ...(how.compression === 'gzip' ? [createGzip({ level: how.level })] : []), blob];
  const file = await open(path, 'wx', 0o600);
  try {
    await pipeline([await store.openLayer(layer.digest, layer.size), ...stages, file.createWriteStream()]);
  } finally {
    await file.close().catch(() => undefined);
  }
  return { blob: { digest: blob.digest(), size: blob.bytes, open: async () => createReadStream(path) }, diffId: diff.digest() };
}
