// Content digests of what a COPY/ADD selects, the input of its cache key. What counts is what
// ends up in the image: type, mode, owner, size, link target and bytes — never mtime.
// - a file's content digest is sha256 of its bytes, streamed (large files never in memory);
// - an entry's digest is sha256 of a canonical JSON header, with the content digest in it for
//   files; a folder's header lists its children (name and digest, in byte order), so a folder
//   digest changes with anything below it (a Merkle tree, as BuildKit's contenthash);
// - a selection's digest covers each source's matched and resolved path and its digest.
// Headers are canonical JSON (sorted keys, strings escaped), so every field is unambiguous.
// Bump ENTRY_RECIPE whenever any of this changes; the golden digests in the spec lock it.
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { TsbuildError } from '../lib/errors.js';
import { canonicalJson } from './cache-key.js';
import { compareNames, parentContextPath } from './context-path.js';
import type { SelectedSource } from './context-select.js';
import type { ContextEntry } from './context-walk.js';
import type { StatCache, StatKey } from './stat-cache.js';
import { SMALL_FILE_BYTES, yieldToEventLoop, type SmallFileRead } from './context-disk.js';

export const ENTRY_RECIPE = 1;

const READ_CHUNK_BYTES = 1024 * 1024;

/** What hashing needs from a context: checked ways to open its files. */
export interface HashableContext {
  openFile(entry: ContextEntry): Promise<{ readonly handle: FileHandle; readonly stats: BigIntStats }>;
  /** A synchronous whole-file read for files up to SMALL_FILE_BYTES (see context-disk.ts). */
  readSmallFile?(entry: ContextEntry): SmallFileRead;
}

export interface ContextHashOptions {
  /** Skips re-reading unchanged files; see cache/stat-cache.ts. */
  readonly statCache?: StatCache;
  /** Files read at once (default 16). */
  readonly concurrency?: number;
}

/** Told each entry of a source (path relative to the source) with its digest, leaves first. */
export type EntryDigestVisitor = (path: string, entry: ContextEntry, digest: string) => void;

export interface SourcesDigest {
  readonly digest: string;
  readonly sources: readonly { readonly matched: string; readonly resolved: string; readonly digest: string }[];
}

/**
 * The digest of one entry: sha256 of its canonical JSON header, whose keys are written in
 * sorted order by construction (cache-key's canonicalJson gives the same text; this is faster,
 * which matters for 20,000-entry contexts). Files carry their content digest, folders their
 * children as [name, digest] pairs in byte order of the names.
 */
export function entryDigest(entry: ContextEntry, content?: string, children?: readonly (readonly [string, string])[]): string {
  const fields: string[] = [];
  if (entry.type === 'dir') fields.push(`"children":${JSON.stringify(children ?? [])}`);
  if (entry.type === 'file' && content !== undefined) fields.push(`"content":${JSON.stringify(content)}`);
  fields.push(`"gid":${entry.gid}`);
  if (entry.linkTarget !== undefined) fields.push(`"link":${JSON.stringify(entry.linkTarget)}`);
  fields.push(`"mode":${entry.mode}`);
  if (entry.rdev !== undefined) fields.push(`"rdev":${entry.rdev}`);
  fields.push(`"size":${entry.size}`, `"type":${JSON.stringify(entry.type)}`, `"uid":${entry.uid}`, `"v":${ENTRY_RECIPE}`);
  return sha256(`{${fields.join(',')}}`);
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
    if (entry.type !== 'file') return Promise.reject(new TsbuildError('E_CONTEXT', `${entry.path} is not a regular file`));
    // Hard links share an identity: read them once.
    const identity = `${entry.identity.dev}:${entry.identity.ino}:${entry.size}:${entry.identity.mtimeNs}:${entry.identity.ctimeNs}`;
    let digest = this.contentDigests.get(identity);
    if (digest === undefined) {
      digest = this.lookupOrRead(entry);
      this.contentDigests.set(identity, digest);
    }
    return digest;
  }

  /**
   * The digest of one selected source: its entry, and for a folder everything listed below it.
   * `visit` (optional) sees every entry's digest, a folder's covering everything below it.
   */
  async digestSource(source: SelectedSource, visit?: EntryDigestVisitor): Promise<string> {
    const contents = await this.contentDigestsOf(source);
    const children = new Map<string, [string, string][]>();
    let rootDigest = '';
    // Children come after their parents in walk order, so hash in reverse: leaves first.
    for (const { path, entry } of [...source.entries].reverse()) {
      const own = children.get(path)?.sort((a, b) => compareNames(a[0], b[0]));
      const digest = entryDigest(entry, contents.get(path), own);
      visit?.(path, entry, digest);
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

  /**
   * Content digests of the files of a source, by path. Small files are read synchronously as
   * the loop reaches them, so the loop yields to the event loop every few files.
   */
  private async contentDigestsOf(source: SelectedSource): Promise<Map<string, string>> {
    const pending: Promise<readonly [string, string]>[] = [];
    let sinceYield = 0;
    for (const { path, entry } of source.entries) {
      if (entry.type !== 'file') continue;
      pending.push(this.contentDigest(entry).then((digest) => [path, digest] as const));
      if (++sinceYield % 64 === 0) await yieldToEventLoop();
    }
    return new Map(await Promise.all(pending));
  }

  private async lookupOrRead(entry: ContextEntry): Promise<string> {
    const key = statKey(entry);
    const cached = this.options.statCache?.lookup(entry.path, key);
    if (cached !== undefined) return cached;
    if (entry.size <= SMALL_FILE_BYTES && this.context.readSmallFile) return this.readSmall(entry, key);
    await this.slot();
    try {
      return await this.readStreamed(entry, key);
    } finally {
      this.release();
    }
  }

  private readSmall(entry: ContextEntry, key: StatKey): string {
    const startedAt = Date.now();
    const { content, before, after } = this.context.readSmallFile!(entry);
    const digest = 'sha256:' + createHash('sha256').update(content).digest('hex');
    return this.accept(entry, key, { before, after, digest, bytes: content.length, startedAt });
  }

  private async readStreamed(entry: ContextEntry, key: StatKey): Promise<string> {
    const startedAt = Date.now();
    const { handle, stats: before } = await this.context.openFile(entry);
    try {
      if (Number(before.size) !== key.size || before.mtimeNs !== key.mtimeNs) throw changed(entry);
      const { digest, bytes } = await hashContent(handle, key.size);
      const after = await handle.stat({ bigint: true });
      return this.accept(entry, key, { before, after, digest, bytes, startedAt });
    } finally {
      await handle.close();
    }
  }

  /**
   * Keeps a digest only if the file is what the walk saw and did not change while read; then
   * offers it to the stat cache (which decides whether it is too fresh to remember).
   */
  private accept(entry: ContextEntry, key: StatKey, read: { before: BigIntStats; after: BigIntStats; digest: string; bytes: number; startedAt: number }): string {
    const { before, after } = read;
    if (Number(before.size) !== key.size || before.mtimeNs !== key.mtimeNs || read.bytes !== key.size) throw changed(entry);
    if (after.size !== before.size || after.mtimeNs !== before.mtimeNs || after.ctimeNs !== before.ctimeNs) throw changed(entry);
    this.filesRead++;
    this.bytesRead += key.size;
    if (before.ctimeNs === key.ctimeNs) this.options.statCache?.record(entry.path, key, read.digest, read.startedAt);
    return read.digest;
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

/** Streams a file through sha256 up to `expectedSize` bytes (which also sizes the buffer). */
async function hashContent(handle: FileHandle, expectedSize: number): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(expectedSize, READ_CHUNK_BYTES)));
  let bytes = 0;
  // Stop at the expected size rather than reading once more for EOF: the caller's fstat after
  // the read tells whether the file grew, and a short file ends the loop with bytesRead 0.
  while (bytes < expectedSize || expectedSize === 0) {
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
