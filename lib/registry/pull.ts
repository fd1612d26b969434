// `tsbuild pull`: resolves a reference to one image manifest (choosing the platform from a
// manifest list or index), downloads what the store lacks with every digest checked, and stores
// the image under its tag. Layers land uncompressed, checked against the config's DiffIDs.
import type { Platform } from '../../executor/image-config.js';
import { isDigest } from '../../cache/digest.js';
import { Lease } from '../../cache/lease.js';
import type { LayerRef } from '../../cache/key-index.js';
import { TsbuildError } from '../errors.js';
import { parseImageConfig } from '../image/config.js';
import { parseManifest, type Descriptor, type Manifest } from '../image/manifest.js';
import { MediaTypes } from '../image/media-types.js';
import { formatReference, parseReference, withDefaultTag, type ImageReference } from '../image/reference.js';
import { hostPlatform } from '../platform.js';
import type { ImageStore, StoredImage } from '../store/image-store.js';
import { Registry, type FetchedManifest, type Repository, type RegistryOptions } from './client.js';
import { RegistryError } from './errors.js';
import { refuseAmbiguousDocument } from './document-kind.js';
import { BrokenDownload, uncompressedLayer, verifiedBlobBytes } from './layer-download.js';
import { mapLimit } from './limit.js';
import { selectPlatform, type IndexDocument } from './platform-select.js';
import { storePulledImage } from './store-pulled.js';
import { blobReporter, countedBytes, type TransferListener } from '../transfer-progress.js';

export interface PullOptions extends RegistryOptions {
  readonly platform?: Platform;
  /** A client to reuse (its tokens and settings); one is made from the options otherwise. */
  readonly registry?: Registry;
  /** Layers downloaded at once (default 3). */
  readonly concurrency?: number;
  /** Called once per layer: downloaded or already present. */
  readonly onLayer?: (event: { digest: string; action: 'downloaded' | 'exists' }) => void;
  /** Bytes received per layer blob (compressed, as the registry sends them), for progress bars. */
  readonly onProgress?: TransferListener;
}

export interface PullResult {
  readonly image: StoredImage;
  /** The full tag name the image is stored under, when the reference had a tag. */
  readonly tag?: string;
  /** The digest of the manifest (or index) the registry served for the reference. */
  readonly remoteDigest: string;
}

const INDEX_TYPES = new Set<string>([MediaTypes.ociIndex, MediaTypes.dockerManifestList]);
const CONFIG_LIMIT = 8 << 20;

export async function pullImage(store: ImageStore, referenceText: string, options: PullOptions = {}): Promise<PullResult> {
  const reference = withDefaultTag(parseReference(referenceText));
  const repository = (options.registry ?? new Registry(options)).repository(reference.domain, reference.path);
  const top = await repository.getManifest(reference.digest ?? (reference.tag as string));
  const fetched = INDEX_TYPES.has(top.mediaType) ? await resolveIndex(repository, top, options.platform ?? hostPlatform(), reference) : top;
  const manifest = readManifest(fetched, reference);
  const lease = await Lease.create(store.layout);
  try {
    const configBytes = await downloadSmallBlob(repository, manifest.config, reference);
    const config = parseImageConfig(configBytes);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw new RegistryError('protocol', `${formatReference(reference)}: the manifest has ${manifest.layers.length} layers but the config ${diffIds.length} DiffIDs`);
    }
    const layers = await mapLimit(manifest.layers, options.concurrency ?? 3, (descriptor, index) => fetchLayer(store, repository, descriptor, diffIds[index]!, lease, options));
    const tag = reference.tag !== undefined && reference.digest === undefined ? formatReference(reference) : undefined;
    const image = await storePulledImage(store, configBytes, layers, tag, lease);
    return { image, remoteDigest: top.digest, ...(tag !== undefined ? { tag } : {}) };
  } finally {
    await lease.release();
  }
}

async function resolveIndex(repository: Repository, index: FetchedManifest, platform: Platform, reference: ImageReference): Promise<FetchedManifest> {
  refuseAmbiguousDocument(index.bytes, 'index', formatReference(reference));
  const document = JSON.parse(index.bytes.toString('utf8')) as IndexDocument;
  if (!Array.isArray(document.manifests)) throw new RegistryError('protocol', `${formatReference(reference)}: the index has no manifests list`);
  const chosen = selectPlatform(document, platform, formatReference(reference));
  // The digest goes into a URL path: only a well-formed one may.
  if (!isDigest(chosen.digest) || !Number.isSafeInteger(chosen.size)) throw new RegistryError('protocol', `${formatReference(reference)}: the index names an invalid manifest descriptor`);
  const manifest = await repository.getManifest(chosen.digest);
  if (manifest.bytes.length !== chosen.size) throw new RegistryError('integrity', `${formatReference(reference)}: manifest ${chosen.digest} is ${manifest.bytes.length} bytes, the index says ${chosen.size}`);
  return manifest;
}

function readManifest(fetched: FetchedManifest, reference: ImageReference): Manifest {
  refuseAmbiguousDocument(fetched.bytes, 'manifest', formatReference(reference));
  try {
    return parseManifest(fetched.bytes);
  } catch (error) {
    throw new RegistryError('protocol', `${formatReference(reference)}: unusable manifest ${fetched.digest}: ${(error as Error).message}`, undefined, { cause: error });
  }
}

async function downloadSmallBlob(repository: Repository, descriptor: Descriptor, reference: ImageReference): Promise<Buffer> {
  if (descriptor.size > CONFIG_LIMIT) throw new RegistryError('protocol', `${formatReference(reference)}: config blob of ${descriptor.size} bytes is too large`);
  const chunks: Buffer[] = [];
  for await (const chunk of verifiedBlobBytes(await repository.openBlob(descriptor.digest), descriptor, formatReference(reference))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function fetchLayer(store: ImageStore, repository: Repository, descriptor: Descriptor, diffId: string, lease: Lease, options: PullOptions): Promise<LayerRef> {
  await lease.protect([diffId]);
  const present = await store.content.stat(diffId);
  if (present !== undefined) {
    options.onLayer?.({ digest: descriptor.digest, action: 'exists' });
    return { digest: diffId, diffId, size: present.size };
  }
  const where = `${repository.domain}/${repository.path}`;
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadLayer(store, repository, descriptor, diffId, lease, where, options);
    } catch (error) {
      // A connection that breaks mid-body is started over; wrong bytes never are.
      if (attempt >= retries || !(error instanceof BrokenDownload)) throw error;
      await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 200) * 2 ** attempt));
    }
  }
}

async function downloadLayer(store: ImageStore, repository: Repository, descriptor: Descriptor, diffId: string, lease: Lease, where: string, options: PullOptions): Promise<LayerRef> {
  const body = await repository.openBlob(descriptor.digest);
  try {
    const report = blobReporter(options.onProgress, { action: 'pull', ref: where, blob: descriptor.digest, total: descriptor.size });
    const blob = await store.content.ingest(uncompressedLayer(countedBytes(body, report), descriptor, where), { expectedDigest: diffId, lease });
    options.onLayer?.({ digest: descriptor.digest, action: 'downloaded' });
    return { digest: blob.digest, diffId, size: blob.size };
  } catch (error) {
    body.destroy();
    if (error instanceof TsbuildError && error.code === 'E_INTEGRITY' && !(error instanceof RegistryError)) {
      throw new RegistryError('integrity', `${where}: layer ${descriptor.digest} does not match the config's DiffID ${diffId}: ${error.message}`, undefined, { cause: error });
    }
    throw error;
  }
}
