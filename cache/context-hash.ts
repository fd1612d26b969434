// Content digests of what a COPY/ADD selects, the input of its cache key. What counts is what
// ends up in the image: type, mode, owner, size, link target and bytes — never mtime.
// - a file's content digest is sha256 of its bytes, streamed (large files never in memory);
// - an entry's digest is sha256 of a canonical JSON header, with the content digest in it for
//   files; a folder's header lists its children (name and digest, in byte order), so a folder
//   digest changes with anything below it (a Merkle tree, as BuildKit's contenthash);
// - a selection's digest covers each source's matched and resolved path and its digest.
// Canonical JSON (sorted keys, no separators joined by hand) keeps every field unambiguous.
// Bump ENTRY_RECIPE whenever any of this changes; the golden digests in the spec lock it.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { TsbuildError } from '../lib/errors.js';
import { compareNames, parentContextPath } from './context-path.js';
import type { SelectedSource } from './context-select.js';
import type { ContextEntry } from './context-walk.js';
import type { StatCache, StatKey } from './stat-cache.js';

export const ENTRY_RECIPE = 1;

const READ_CHUNK_BYTES = 1024 * 1024;

/** What hashing needs from a context: a checked way to open its files. */
export interface HashableContext {
  openFile(entry: ContextEntry): Promise<FileHandle>;
}

export interface ContextHashOptions {
  /** Skips re-reading unchanged files; see cache/stat-cache.ts. */
  readonly statCache?: StatCache;
  /** Files read at once (default 16). */
  readonly concurrency?: number;
}

export interface SourcesDigest {
  readonly digest: string;
  readonly sources: readonly { readonly matched: string; readonly resolved: string; readonly digest: string }[];
}

/** The digest of one entry from its header fields, its content digest and its children's. */
export function entryDigest(entry: ContextEntry, content?: string, children?: readonly (readonly [string, string])[]): string {
  const header: Record<string, unknown> = { v: ENTRY_RECIPE, type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid, size: entry.size };
  if (entry.linkTarget !== undefined) header.link = entry.linkTarget;
  if (entry.rdev !== undefined) header.rdev = entry.rdev;
  if (entry.type === 'file') header.content = content;
  if (entry.type === 'dir') header.children = children ?? [];
  return sha256(canonicalJson(header));
}

export class ContextHasher {
  private readonly contentDigests = new Map<string, Promise<string>>();
  private readonly concurrency: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  filesRead = 0;
  bytesRead = 0;

  constructor(private readonly context: HashableContext, private readonly options: ContextHashOptions = {}) {
    this.concurrency = options.concurrency ?? 16;
  }

  /** sha256 of a regular file's bytes, from the stat cache when the file is unchanged. */
  contentDigest(entry: ContextEntry): Promise<string> {
    if (entry.type !== 'file') throw new TsbuildError('E_CONTEXT', `${entry.path} is not a regular file`);
    // Hard links share an identity: read them once.
    const identity = `${entry.identity.dev}:${entry.identity.ino}:${entry.size}:${entry.identity.mtimeNs}:${entry.identity.ctimeNs}`;
    let digest = this.contentDigests.get(identity);
    if (digest === undefined) {
      digest = this.lookupOrRead(entry);
      this.contentDigests.set(identity, digest);
    }
    return digest;
  }

  /** The digest of one selected source: its entry, and for a folder everything listed below it. */
  async digestSource(source: SelectedSource): Promise<string> {
    const files = source.entries.filter((item) => item.entry.type === 'file');
    const contents = new Map(await Promise.all(files.map(async (item) => [item.path, await this.contentDigest(item.entry)] as const)));
    const children = new Map<string, [string, string][]>();
    let rootDigest = '';
    // Children come after their parents in walk order, so hash in reverse: leaves first.
    for (const { path, entry } of [...source.entries].reverse()) {
      const own = children.get(path)?.sort((a, b) => compareNames(a[0], b[0]));
      const digest = entryDigest(entry, contents.get(path), own);
      if (path === '') {
        rootDigest = digest;
        continue;
      }
      const parent = parentContextPath(path);
      const siblings = children.get(parent) ?? [];
      siblings.push([path.slice(parent === '' ? 0 : parent.length + 1), digest]);
      children.set(parent, siblings);
    }
    return rootDigest;
  }

  /** The digest of everything a COPY/ADD source list selects, in order. */
  async digestSources(selected: readonly SelectedSource[]): Promise<SourcesDigest> {
    const sources = await Promise.all(
      selected.map(async (source) => ({ matched: source.matched, resolved: source.resolved, digest: await this.digestSource(source) })),
    );
    return { digest: sha256(canonicalJson({ v: ENTRY_RECIPE, sources })), sources };
  }

  private async lookupOrRead(entry: ContextEntry): Promise<string> {
    const key = statKey(entry);
    const cached = this.options.statCache?.lookup(entry.path, key);
    if (cached !== undefined) return cached;
    await this.slot();
    try {
      return await this.read(entry, key);
    } finally {
      this.release();
    }
  }

  /** Reads and hashes a file, refusing one that changed since the walk or while being read. */
  private async read(entry: ContextEntry, key: StatKey): Promise<string> {
    const startedAt = Date.now();
    const handle = await this.context.openFile(entry);
    try {
      const before = await handle.stat({ bigint: true });
      if (Number(before.size) !== key.size || before.mtimeNs !== key.mtimeNs) throw changed(entry);
      const { digest, bytes } = await hashContent(handle, key.size);
      const after = await handle.stat({ bigint: true });
      if (bytes !== key.size || after.size !== before.size || after.mtimeNs !== before.mtimeNs || after.ctimeNs !== before.ctimeNs) throw changed(entry);
      this.filesRead++;
      this.bytesRead += key.size;
      if (before.ctimeNs === key.ctimeNs) this.options.statCache?.record(entry.path, key, digest, startedAt);
      return digest;
    } finally {
      await handle.close();
    }
  }

  private async slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next reader
    else this.running--;
  }
}

export function statKey(entry: ContextEntry): StatKey {
  const { identity } = entry;
  return { size: entry.size, mtimeNs: identity.mtimeNs, ctimeNs: identity.ctimeNs, ino: identity.ino, dev: identity.dev };
}

/** Streams a file through sha256; `expectedSize` only sizes the buffer (small files, small buffers). */
async function hashContent(handle: FileHandle, expectedSize: number): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.min(expectedSize + 1, READ_CHUNK_BYTES));
  let bytes = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    bytes += bytesRead;
    hash.update(buffer.subarray(0, bytesRead));
  }
  return { digest: 'sha256:' + hash.digest('hex'), bytes };
}

function changed(entry: ContextEntry): TsbuildError {
  return new TsbuildError('E_CONTEXT', `${entry.path} changed while the build was reading the context; run the build again`);
}

function sha256(text: string): string {
  return 'sha256:' + createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
