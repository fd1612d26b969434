// Reads an image archive (docker-archive or OCI archive, plain or gzip) into a private scratch
// folder, one file per entry that an image archive can hold, so its metadata can be read in any
// order. The archive is untrusted input (SECURITY lessons 1, 3, 5; B1, B7):
// - entry names are cleaned (leading `/` and `./` dropped) and any `..` is refused; only names of
//   the known layouts are kept (`blobs/sha256/<hex>`, `manifest.json`, `index.json`, `oci-layout`,
//   `repositories`, `<hex>.json`, `<hex>/layer.tar`), everything else is skipped unread;
// - nothing is written under an archive name: spooled files are `entry-<n>` in the scratch folder;
// - every `blobs/sha256/<hex>` entry is hashed as it is written and must match its name;
// - budgets: total bytes, entry count, and a small cap on JSON metadata files;
// - symlinks are only honoured as the old format's `<id>/layer.tar -> ../<id2>/layer.tar`, and
//   only resolved against names already in the archive.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { ArchiveError } from '../../executor/snapshot/archive-error.js';
import { TarInput } from '../../executor/snapshot/tar-input.js';
import { TsbuildError } from '../errors.js';

export interface SpoolBudgets {
  /** Uncompressed archive bytes. */
  readonly maxBytes: number;
  readonly maxEntries: number;
  /** Bytes of a metadata (JSON) file. */
  readonly maxMetadataBytes: number;
}

export const DEFAULT_SPOOL_BUDGETS: SpoolBudgets = { maxBytes: 64 * 1024 ** 3, maxEntries: 100_000, maxMetadataBytes: 16 * 1024 ** 2 };

export interface SpooledFile {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
}

const METADATA = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories']);
const BLOB = /^blobs\/sha256\/([a-f0-9]{64})$/;
const LEGACY = /^(?:[a-f0-9]{64}\.json|[a-f0-9]{64}\/(?:layer\.tar|json|VERSION))$/;

export class SpooledArchive {
  private readonly files = new Map<string, SpooledFile>();
  private readonly links = new Map<string, string>();

  private constructor(private readonly dir: string) {}

  /** Spools `input` into `dir` (an empty private folder the caller removes). */
  static async read(input: Readable, dir: string, budgets: Partial<SpoolBudgets> = {}, signal?: AbortSignal): Promise<SpooledArchive> {
    const limits = { ...DEFAULT_SPOOL_BUDGETS, ...budgets };
    const archive = new SpooledArchive(dir);
    const tar = await TarInput.open(input, { maxBytes: limits.maxBytes, ...(signal ? { signal } : {}) });
    let count = 0;
    for await (const { header, body } of tar.entries()) {
      if (++count > limits.maxEntries) throw new ArchiveError('budget', `the archive has more than ${limits.maxEntries} entries`);
      const name = archiveName(header.name);
      if (name === null || !isKnownName(name)) continue;
      if (header.type === 'symlink' && /\/layer\.tar$/.test(name)) archive.links.set(name, posix.join(posix.dirname(name), header.linkname ?? ''));
      if (header.type !== 'file' && header.type !== 'contiguous-file') continue;
      const cap = METADATA.has(name) || name.endsWith('.json') || name.endsWith('/json') ? limits.maxMetadataBytes : Infinity;
      if ((header.size ?? 0) > cap) throw new ArchiveError('budget', `${name} is larger than ${cap} bytes`, { entry: header.name });
      await archive.write(name, count, body);
    }
    return archive;
  }

  /** The spooled file an archive path names (symlinked legacy layers followed once), or undefined. */
  get(name: string): SpooledFile | undefined {
    const clean = archiveName(name);
    if (clean === null) return undefined;
    return this.files.get(clean) ?? this.files.get(this.links.get(clean) ?? '');
  }

  /** The blob with that digest, checked against the size a descriptor gave. */
  blob(digest: string, size?: number): SpooledFile {
    const file = this.files.get(`blobs/${digest.replace(':', '/')}`);
    if (file === undefined) throw new TsbuildError('E_NOT_FOUND', `the archive has no blob ${digest}`);
    if (size !== undefined && file.size !== size) throw new TsbuildError('E_INTEGRITY', `blob ${digest} has ${file.size} bytes but its descriptor says ${size}`);
    return file;
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  private async write(name: string, index: number, body: AsyncIterable<Buffer>): Promise<void> {
    const path = join(this.dir, `entry-${index}`);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(path, 'wx', 0o600);
    try {
      for await (const chunk of body) {
        hash.update(chunk);
        size += chunk.length;
        await file.write(chunk);
      }
    } finally {
      await file.close();
    }
    const digest = `sha256:${hash.digest('hex')}`;
    const blob = BLOB.exec(name);
    if (blob && digest !== `sha256:${blob[1]}`) throw new TsbuildError('E_INTEGRITY', `archive blob ${name} does not match its digest (got ${digest})`);
    this.files.set(name, { path, digest, size });
  }
}

/** Cleans an entry name; null for the root itself. `..` anywhere is refused, not skipped. */
export function archiveName(raw: string): string | null {
  const trimmed = raw.replace(/^\/+/, '');
  if (trimmed.split('/').includes('..')) throw new ArchiveError('invalid-entry-name', `invalid archive entry name ${JSON.stringify(raw)}`, { entry: raw });
  const clean = posix.normalize(trimmed).replace(/\/+$/, '');
  return clean === '.' || clean === '' ? null : clean;
}

function isKnownName(name: string): boolean {
  return METADATA.has(name) || BLOB.test(name) || LEGACY.test(name);
}
