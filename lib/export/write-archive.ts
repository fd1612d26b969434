// Images out of the store as an archive: `docker` (what `docker save` of Docker 25+ writes: an
// OCI layout plus manifest.json and repositories, which `docker load` reads) or `oci` (the OCI
// layout alone, as `skopeo` and `umoci` read it), into a tar stream or an OCI layout folder.
// Archive bytes depend only on the images, their names and the options: entries are sorted,
// headers carry fixed owners and times, and gzip is deterministic.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { dockerArchiveManifest, dockerRepositories, DOCKER_MANIFEST_FILE, DOCKER_REPOSITORIES_FILE } from '../image/docker-archive.js';
import { blobPath, OCI_INDEX_FILE, OCI_LAYOUT_BYTES, OCI_LAYOUT_FILE, serializeLayoutIndex } from '../image/oci-layout.js';
import type { ImageStore, StoredImage } from '../store/image-store.js';
import { exportImage, ExportScratch, type ExportBlob, type ExportedImage, type ExportOptions } from './export-image.js';
import { packTar, type PackEntry } from './tar-pack.js';

export type ArchiveFormat = 'docker' | 'oci';

export interface NamedImage {
  readonly image: StoredImage;
  /** Full tag names to record for it (may be empty). */
  readonly names: readonly string[];
}

export interface ArchiveOptions extends ExportOptions {
  readonly format: ArchiveFormat;
}

/** What was written: each image's manifest as exported (its digest is the pushed digest). */
export interface ArchiveResult {
  readonly images: readonly ExportedImage[];
}

interface ArchiveFiles {
  readonly blobs: readonly ExportBlob[];
  readonly files: readonly { name: string; data: Buffer }[];
}

/** Writes the images as one tar into `sink` (which is ended). */
export async function writeImageArchive(store: ImageStore, images: readonly NamedImage[], sink: Writable, options: ArchiveOptions): Promise<ArchiveResult> {
  const scratch = new ExportScratch(store.layout.tmp);
  try {
    const exported = await exportAll(store, images, scratch, options);
    const { blobs, files } = archiveFiles(images, exported, options.format);
    await packTar(tarEntries(blobs, files), sink);
    return { images: exported };
  } finally {
    await scratch.dispose();
  }
}

/** Writes the images as an OCI layout folder (`type=oci,tar=false`); existing blobs are rewritten. */
export async function writeOciLayoutDir(store: ImageStore, images: readonly NamedImage[], dir: string, options: ExportOptions = {}): Promise<ArchiveResult> {
  const scratch = new ExportScratch(store.layout.tmp);
  try {
    const exported = await exportAll(store, images, scratch, options);
    const { blobs, files } = archiveFiles(images, exported, 'oci');
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    for (const blob of blobs) await pipeline(await blob.open(), createWriteStream(join(dir, blobPath(blob.digest))));
    for (const file of files) await writeFile(join(dir, file.name), file.data);
    return { images: exported };
  } finally {
    await scratch.dispose();
  }
}

async function exportAll(store: ImageStore, images: readonly NamedImage[], scratch: ExportScratch, options: ExportOptions): Promise<ExportedImage[]> {
  const exported: ExportedImage[] = [];
  for (const { image } of images) exported.push(await exportImage(store, image, scratch, options));
  return exported;
}

function archiveFiles(images: readonly NamedImage[], exported: readonly ExportedImage[], format: ArchiveFormat): ArchiveFiles {
  const blobs = new Map<string, ExportBlob>();
  const add = (digest: string, data: Buffer) => blobs.set(digest, { digest, size: data.length, open: async () => Readable.from([data]) });
  exported.forEach((item) => {
    add(item.manifestDescriptor.digest, item.manifestBytes);
    add(item.manifest.config.digest, item.configBytes);
    for (const layer of item.layers) if (!blobs.has(layer.digest)) blobs.set(layer.digest, layer);
  });
  const named = exported.map((item, index) => ({ descriptor: item.manifestDescriptor, names: images[index]!.names }));
  const files = [
    { name: OCI_INDEX_FILE, data: serializeLayoutIndex(named) },
    { name: OCI_LAYOUT_FILE, data: OCI_LAYOUT_BYTES },
  ];
  if (format === 'docker') {
    const archived = exported.map((item, index) => ({
      configDigest: item.manifest.config.digest,
      layers: item.manifest.layers.map((layer, at) => ({ ...layer, diffId: item.image.layers[at]!.diffId })),
      names: images[index]!.names,
    }));
    files.push({ name: DOCKER_MANIFEST_FILE, data: dockerArchiveManifest(archived) }, { name: DOCKER_REPOSITORIES_FILE, data: dockerRepositories(archived) });
  }
  const sorted = [...blobs.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  return { blobs: sorted, files: files.sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

function* tarEntries(blobs: readonly ExportBlob[], files: readonly { name: string; data: Buffer }[]): Generator<PackEntry> {
  yield { kind: 'dir', name: 'blobs/' };
  yield { kind: 'dir', name: 'blobs/sha256/' };
  for (const blob of blobs) yield { kind: 'stream', name: blobPath(blob.digest), size: blob.size, open: () => blob.open() };
  for (const file of files) yield { kind: 'file', name: file.name, data: file.data };
}
