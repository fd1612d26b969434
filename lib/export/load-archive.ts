// `docker load`: images from a docker-archive or an OCI archive into the store. The archive is
// spooled first (archive-spool.ts: safe names, budgets, blob digests checked), then each image is
// checked end to end before anything is recorded: manifest and config digests and sizes, and every
// layer decompressed (gzip in-process) and stored only if its sha256 equals the config's DiffID.
// The config blob is kept byte for byte, so the image ID is the one the archive had; the stored
// manifest lists the uncompressed layers, as the store keeps them.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { tempFileName } from '../../cache/atomic-file.js';
import { Lease } from '../../cache/lease.js';
import type { LayerRef } from '../../cache/key-index.js';
import { TsbuildError } from '../errors.js';
import type { ArchiveError } from '../../executor/snapshot/archive-error.js';
import { parseImageConfig } from '../image/config.js';
import { parseDockerArchiveManifest, DOCKER_MANIFEST_FILE } from '../image/docker-archive.js';
import { parseManifest, type Descriptor } from '../image/manifest.js';
import { MediaTypes } from '../image/media-types.js';
import { nameOfEntry, OCI_INDEX_FILE, parseLayoutIndex } from '../image/oci-layout.js';
import { normalizeTagName } from '../image/reference.js';
import type { ImageStore, StoredImage } from '../store/image-store.js';
import { DEFAULT_SPOOL_BUDGETS, SpooledArchive, type SpoolBudgets, type SpooledFile } from './archive-spool.js';
import { decompressedLayer } from '../image/layer-input.js';

export interface LoadOptions {
  readonly budgets?: Partial<SpoolBudgets>;
  readonly signal?: AbortSignal;
}

export interface LoadedImage {
  readonly image: StoredImage;
  /** Full tag names set for it. */
  readonly names: readonly string[];
}

/** One image found in the archive, not yet checked. */
interface ArchiveImageRef {
  readonly config: SpooledFile;
  readonly layers: readonly SpooledFile[];
  readonly names: readonly string[];
}

export async function loadArchive(store: ImageStore, input: Readable, options: LoadOptions = {}): Promise<LoadedImage[]> {
  const scratch = await mkdtemp(join(store.layout.tmp, `${tempFileName()}-load-`));
  try {
    const archive = await SpooledArchive.read(input, scratch, options.budgets, options.signal);
    const images = archive.has(DOCKER_MANIFEST_FILE) ? await dockerImages(archive) : await ociImages(archive);
    const loaded: LoadedImage[] = [];
    for (const image of images) loaded.push(await storeImage(store, image, options));
    return loaded;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function dockerImages(archive: SpooledArchive): Promise<ArchiveImageRef[]> {
  const entries = parseDockerArchiveManifest(await readSpooled(archive.get(DOCKER_MANIFEST_FILE)!));
  return entries.map((entry, index) => {
    const config = archive.get(entry.config);
    if (config === undefined) throw missing(`image ${index}'s config ${entry.config}`);
    checkNamedDigest(entry.config, config);
    const layers = entry.layers.map((path) => {
      const layer = archive.get(path);
      if (layer === undefined) throw missing(`image ${index}'s layer ${path}`);
      return layer;
    });
    return { config, layers, names: entry.repoTags.map(normalizeTagName) };
  });
}

async function ociImages(archive: SpooledArchive): Promise<ArchiveImageRef[]> {
  const index = archive.get(OCI_INDEX_FILE);
  if (index === undefined) throw new TsbuildError('E_INTEGRITY', 'not an image archive: it has neither manifest.json nor index.json');
  const byManifest = new Map<string, { descriptor: Descriptor; names: string[] }>();
  for (const descriptor of await manifestsOf(archive, await readSpooled(index), 0)) {
    const entry = byManifest.get(descriptor.digest) ?? { descriptor, names: [] };
    const name = nameOfEntry(descriptor);
    if (name !== undefined) entry.names.push(normalizeTagName(name));
    byManifest.set(descriptor.digest, entry);
  }
  const images: ArchiveImageRef[] = [];
  for (const { descriptor, names } of byManifest.values()) {
    const manifest = parseManifest(await readSpooled(archive.blob(descriptor.digest, descriptor.size)));
    const config = archive.blob(manifest.config.digest, manifest.config.size);
    images.push({ config, layers: manifest.layers.map((layer) => archive.blob(layer.digest, layer.size)), names: [...new Set(names)] });
  }
  return images;
}

/** Image manifests an index lists; nested indexes (one level) contribute their host-platform entries. */
async function manifestsOf(archive: SpooledArchive, bytes: Buffer, depth: number): Promise<Descriptor[]> {
  const result: Descriptor[] = [];
  for (const descriptor of parseLayoutIndex(bytes).manifests) {
    if (descriptor.mediaType === MediaTypes.ociIndex || descriptor.mediaType === MediaTypes.dockerManifestList) {
      if (depth > 0) throw new TsbuildError('E_INTEGRITY', 'index.json nests indexes more than one level deep');
      const nested = await manifestsOf(archive, await readSpooled(archive.blob(descriptor.digest, descriptor.size)), depth + 1);
      const host = nested.filter((entry) => entry.platform === undefined || (entry.platform.os === 'linux' && entry.platform.architecture === hostArchitecture()));
      result.push(...host.map((entry) => ({ ...entry, annotations: { ...entry.annotations, ...descriptor.annotations } })));
    } else if (descriptor.mediaType === MediaTypes.ociManifest || descriptor.mediaType === MediaTypes.dockerManifest) {
      result.push(descriptor);
    }
  }
  return result;
}

async function storeImage(store: ImageStore, image: ArchiveImageRef, options: LoadOptions): Promise<LoadedImage> {
  const configBytes = await readSpooled(image.config);
  const config = parseImageConfig(configBytes);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== image.layers.length) throw new TsbuildError('E_INTEGRITY', `image ${image.config.digest} has ${image.layers.length} layers but ${diffIds.length} DiffIDs`);
  const lease = await Lease.create(store.layout, options.signal ? { signal: options.signal } : {});
  try {
    const layers: LayerRef[] = [];
    for (const [index, layer] of image.layers.entries()) {
      const blob = await store.content.ingest(decompressedLayer(createReadStream(layer.path), options.budgets?.maxBytes ?? DEFAULT_SPOOL_BUDGETS.maxBytes, { label: `layer ${index} of image ${image.config.digest}`, archiveBytes: layer.size }), { lease, expectedDigest: diffIds[index]!, ...(options.signal ? { signal: options.signal } : {}) })
        .catch((error: unknown) => { throw layerMismatch(index, diffIds[index]!, error); });
      layers.push({ digest: blob.digest, diffId: blob.digest, size: blob.size });
    }
    const stored = await store.commitRaw(configBytes, layers, { lease, tags: image.names, expectedConfigDigest: image.config.digest });
    return { image: stored, names: image.names };
  } finally {
    await lease.release();
  }
}

/** Old-format names carry the digest (`<hex>.json`); it must match the content. */
function checkNamedDigest(path: string, file: SpooledFile): void {
  const named = /(?:^|\/)([a-f0-9]{64})\.json$/.exec(path);
  if (named && `sha256:${named[1]}` !== file.digest) throw new TsbuildError('E_INTEGRITY', `config ${path} does not match its digest (got ${file.digest})`);
}

async function readSpooled(file: SpooledFile | undefined): Promise<Buffer> {
  if (file === undefined) throw missing('a metadata file');
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(file.path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function layerMismatch(index: number, diffId: string, error: unknown): unknown {
  if (error instanceof TsbuildError && error.code === 'E_INTEGRITY' && (error as ArchiveError).reason !== 'budget') {
    return new TsbuildError('E_INTEGRITY', `layer ${index} does not match the config's DiffID ${diffId}: ${error.message}`, { cause: error });
  }
  return error;
}

function missing(what: string): TsbuildError {
  return new TsbuildError('E_NOT_FOUND', `the archive is missing ${what}`);
}

function hostArchitecture(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}
