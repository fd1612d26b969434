// Where a build cache lives: a tag in a registry, or an OCI layout folder (`oci-layout`,
// `index.json` naming the cache manifest as `latest`, `blobs/sha256/…`). Readers give the cache's
// manifest (undefined when there is no cache there yet) and a blob's bytes as stored, which
// callers verify as they read; writers skip blobs already there and write the manifest last, so
// a reader never sees a manifest whose blobs are missing.
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { tempFileName, writeFileAtomic } from '../../cache/atomic-file.js';
import { ociIndex, parseManifest, serializeIndex, type Descriptor, type Manifest } from '../image/manifest.js';
import { MediaTypes } from '../image/media-types.js';
import { ANNOTATION_REF_NAME, blobPath, OCI_INDEX_FILE, OCI_LAYOUT_BYTES, OCI_LAYOUT_FILE, parseLayoutIndex } from '../image/oci-layout.js';
import { parseReference } from '../image/reference.js';
import type { Registry, Repository } from '../registry/client.js';
import { RegistryError } from '../registry/errors.js';
import type { CacheLocation } from './cache-spec.js';

export interface CacheReader {
  manifest(): Promise<Manifest | undefined>;
  openBlob(descriptor: Descriptor): Promise<AsyncIterable<Buffer>>;
}

export interface CacheWriter {
  hasBlob(descriptor: Descriptor): Promise<boolean>;
  /** Stores the blob whose bytes are in `file`. */
  putBlob(descriptor: Descriptor, file: string): Promise<void>;
  putManifest(bytes: Buffer): Promise<void>;
}

const LOCAL_TAG = 'latest';

export function cacheReader(location: CacheLocation, registry: Registry): CacheReader {
  if (location.type === 'local') return new LayoutCache(location.dir);
  const { repository, tag } = registryTarget(location.ref, registry, 'pull');
  return {
    async manifest() {
      const fetched = await repository.getManifest(tag).catch((error: unknown) => {
        if (error instanceof RegistryError && error.failure === 'not-found') return undefined;
        throw error;
      });
      if (fetched === undefined) return undefined;
      if (fetched.mediaType !== MediaTypes.ociManifest) throw new TypeError(`not a tsbuild build cache (a ${fetched.mediaType})`);
      return parseManifest(fetched.bytes);
    },
    openBlob: (descriptor) => repository.openBlob(descriptor.digest),
  };
}

export function cacheWriter(location: CacheLocation, registry: Registry): CacheWriter {
  if (location.type === 'local') return new LayoutCache(location.dir);
  const { repository, tag } = registryTarget(location.ref, registry, 'push');
  return {
    hasBlob: (descriptor) => repository.hasBlob(descriptor.digest),
    putBlob: (descriptor, file) => repository.uploadBlob(descriptor.digest, descriptor.size, (start, end) => createReadStream(file, { start, end: end - 1 })),
    putManifest: async (bytes) => void (await repository.putManifest(tag, bytes, MediaTypes.ociManifest)),
  };
}

function registryTarget(ref: string, registry: Registry, access: 'pull' | 'push'): { repository: Repository; tag: string } {
  const reference = parseReference(ref);
  return { repository: registry.repository(reference.domain, reference.path, access), tag: reference.digest ?? reference.tag ?? 'latest' };
}

class LayoutCache implements CacheReader, CacheWriter {
  constructor(private readonly dir: string) {}

  async manifest(): Promise<Manifest | undefined> {
    const indexText = await readFile(join(this.dir, OCI_INDEX_FILE)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (indexText === undefined) return undefined;
    const entries = parseLayoutIndex(indexText).manifests;
    const entry = entries.find((candidate) => candidate.annotations?.[ANNOTATION_REF_NAME] === LOCAL_TAG) ?? (entries.length === 1 ? entries[0] : undefined);
    if (entry === undefined) throw new TypeError(`${OCI_INDEX_FILE} names no "${LOCAL_TAG}" manifest`);
    const bytes = await readFile(join(this.dir, blobPath(entry.digest)));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (digest !== entry.digest || bytes.length !== entry.size) throw new TypeError(`the cache manifest ${entry.digest} is damaged (its bytes hash to ${digest})`);
    return parseManifest(bytes);
  }

  async openBlob(descriptor: Descriptor): Promise<AsyncIterable<Buffer>> {
    const path = join(this.dir, blobPath(descriptor.digest));
    await stat(path); // a missing blob fails here, with its path, rather than mid-stream
    return createReadStream(path);
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    const info = await stat(join(this.dir, blobPath(descriptor.digest))).catch(() => undefined);
    return info?.isFile() === true && info.size === descriptor.size;
  }

  async putBlob(descriptor: Descriptor, file: string): Promise<void> {
    const path = join(this.dir, blobPath(descriptor.digest));
    await mkdir(dirname(path), { recursive: true });
    const temp = join(dirname(path), `.tmp-${tempFileName()}`);
    try {
      await copyFile(file, temp);
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async putManifest(bytes: Buffer): Promise<void> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    await writeFileAtomic(join(this.dir, blobPath(digest)), bytes, { tmpDir: join(this.dir, 'blobs', 'sha256'), mode: 0o644 });
    await writeFileAtomic(join(this.dir, OCI_LAYOUT_FILE), OCI_LAYOUT_BYTES, { tmpDir: this.dir, mode: 0o644 });
    const descriptor = { mediaType: MediaTypes.ociManifest, digest, size: bytes.length };
    const index = serializeIndex(ociIndex([{ ...descriptor, annotations: { [ANNOTATION_REF_NAME]: LOCAL_TAG } }]));
    await writeFileAtomic(join(this.dir, OCI_INDEX_FILE), index, { tmpDir: this.dir, mode: 0o644 });
  }
}
