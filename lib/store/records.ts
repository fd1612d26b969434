// The store's own files under `images-v1/`, lockless in the way of the content store:
//   images/<manifest hex>.json   one per image: its manifest and config digests
//   tags/<sha256(name)>.json     one per tag: the full name, the manifest digest and when it was set
// Each is a sealed JSON document (cache/sealed-json.ts) published with an atomic, durable rename,
// so concurrent writers never tear a file: the last rename wins, and a damaged file reads as
// absent. Two processes tagging different names never touch the same file; the same name is
// last-writer-wins, as `docker tag` is.
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../cache/atomic-file.js';
import { sha256Hex } from '../../cache/cache-key.js';
import { assertDigest, isDigest } from '../../cache/digest.js';
import type { RootLayout } from '../../cache/root.js';
import { sealJson, unsealJson } from '../../cache/sealed-json.js';

export type StoreLayout = Pick<RootLayout, 'images' | 'tmp' | 'content' | 'locks' | 'leases'>;

export interface ImageRecord {
  readonly manifest: string;
  readonly config: string;
  /** Each layer's unpacked size, bottom first (unpacked-size.ts); absent in older records. */
  readonly layerSizes?: readonly number[];
}

export interface TagRecord {
  /** Full form: `docker.io/library/nginx:latest`. */
  readonly name: string;
  readonly manifest: string;
  /** When the tag was last set (RFC 3339); Docker's Metadata.LastTagTime. */
  readonly time: string;
}

export class StoreRecords {
  private readonly imagesDir: string;
  private readonly tagsDir: string;

  constructor(private readonly layout: StoreLayout) {
    this.imagesDir = join(layout.images, 'images');
    this.tagsDir = join(layout.images, 'tags');
  }

  async putImage(record: ImageRecord): Promise<void> {
    await writeFileAtomic(this.imagePath(record.manifest), sealJson({ manifest: record.manifest, config: record.config, ...(record.layerSizes ? { layerSizes: [...record.layerSizes] } : {}) }), { tmpDir: this.layout.tmp });
  }

  async getImage(manifest: string): Promise<ImageRecord | undefined> {
    return parseImage(await readFile(this.imagePath(manifest), 'utf8').catch(ignoreMissing));
  }

  async deleteImage(manifest: string): Promise<boolean> {
    return removeFile(this.imagePath(manifest));
  }

  async listImages(): Promise<ImageRecord[]> {
    const records: ImageRecord[] = [];
    for (const name of await listNames(this.imagesDir)) {
      const record = parseImage(await readFile(join(this.imagesDir, name), 'utf8').catch(ignoreMissing));
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  /** Manifest digests of every image, read synchronously (for a GC that asks while holding its lock). */
  listImageManifestsSync(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.imagesDir);
    } catch {
      return [];
    }
    const digests: string[] = [];
    for (const name of names.filter(isRecordName)) {
      let text: string | undefined;
      try {
        text = readFileSync(join(this.imagesDir, name), 'utf8');
      } catch {
        continue;
      }
      const record = parseImage(text);
      if (record !== undefined) digests.push(record.manifest);
    }
    return digests;
  }

  async putTag(record: TagRecord): Promise<void> {
    await writeFileAtomic(this.tagPath(record.name), sealJson({ ...record }), { tmpDir: this.layout.tmp });
  }

  async getTag(name: string): Promise<TagRecord | undefined> {
    return parseTag(await readFile(this.tagPath(name), 'utf8').catch(ignoreMissing), name);
  }

  async deleteTag(name: string): Promise<boolean> {
    return removeFile(this.tagPath(name));
  }

  async listTags(): Promise<TagRecord[]> {
    const records: TagRecord[] = [];
    for (const name of await listNames(this.tagsDir)) {
      const record = parseTag(await readFile(join(this.tagsDir, name), 'utf8').catch(ignoreMissing));
      if (record !== undefined) records.push(record);
    }
    return records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private imagePath(manifest: string): string {
    assertDigest(manifest, 'manifest digest');
    return join(this.imagesDir, `${manifest.slice('sha256:'.length)}.json`);
  }

  private tagPath(name: string): string {
    return join(this.tagsDir, `${sha256Hex(name)}.json`);
  }
}

function parseImage(text: string | undefined): ImageRecord | undefined {
  if (text === undefined) return undefined;
  const sealed = unsealJson(text);
  if (!sealed.ok) return undefined;
  const body = sealed.body as Partial<ImageRecord> | null;
  if (body === null || !isDigest(body.manifest) || !isDigest(body.config)) return undefined;
  const sizes = body.layerSizes;
  const valid = Array.isArray(sizes) && sizes.every((size) => Number.isSafeInteger(size) && size >= 0);
  return { manifest: body.manifest, config: body.config, ...(valid ? { layerSizes: sizes } : {}) };
}

function parseTag(text: string | undefined, expectedName?: string): TagRecord | undefined {
  if (text === undefined) return undefined;
  const sealed = unsealJson(text);
  if (!sealed.ok) return undefined;
  const body = sealed.body as Partial<TagRecord> | null;
  if (body === null || typeof body.name !== 'string' || !isDigest(body.manifest) || typeof body.time !== 'string') return undefined;
  if (expectedName !== undefined && body.name !== expectedName) return undefined;
  return { name: body.name, manifest: body.manifest, time: body.time };
}

const isRecordName = (name: string): boolean => /^[a-f0-9]{64}\.json$/.test(name);

async function listNames(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names.filter(isRecordName).sort();
}

async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}
