// Cache records: a step's key → the layer it produced, its config change and the key's input.
//
// Format choice: one sealed JSON file per key, `index-v1/records/<hex[0..2]>/<hex>.json`,
// published with writeFileAtomic, rather than cacache-style append-only buckets. A lookup is
// one read with no history to scan; "last writer wins" is a rename; prune deletes one file; and
// the LRU clock is the file's mtime, so a hit costs a utimes() instead of an appended line.
// The price is one fsync per record, and records are written once per executed step, which is
// far slower than that anyway. Each file carries a checksum of its body (sealed-json.ts): a
// truncated, zeroed or garbled record is a miss with a warning, never an exception and never a
// wrong result; the next build rewrites it.
//
// "Why did this miss?": records are also indexed by a caller-given step identity (for example
// the parent key and the instruction kind): `steps/<hh>/<sha256(identity)>.json` names the
// last key written or used for that step, so the builder can diff the old input against the new.
// What the key input cannot say (which context files changed) lives in a file beside the record
// that hits never read (record-file-lists.ts).
import { readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from '../lib/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { sha256Hex, type Json } from './cache-key.js';
import { isDigest } from './digest.js';
import { fileListsBytes, fileListsPath, readFileLists, removeFileLists, removeOrphanFileLists, writeFileLists } from './record-file-lists.js';
import { acquireLock, tryLock, type LockHolder } from './lock.js';
import type { RootLayout } from './root.js';
import { sealJson, unsealJson } from './sealed-json.js';
import { asStoreError } from './store-errors.js';

export interface LayerRef {
  /** Digest of the stored (compressed) layer blob. */
  readonly digest: string;
  /** Digest of the uncompressed tar. */
  readonly diffId: string;
  readonly size: number;
}

export interface NewRecord {
  /** The cache key: 64 lowercase hex digits (`cacheKey()`). */
  readonly key: string;
  /** The layer the step produced, or null when it changed no files. */
  readonly layer: LayerRef | null;
  readonly configChange: Json;
  /** The key's input (`keyInput()`), kept to explain later misses. */
  readonly input: Json;
  readonly stepIdentity?: string;
  /** Outside the key: per-file fingerprints of context inputs, to name changed files on a later miss. */
  readonly fileLists?: Json;
}

export interface CacheRecord extends Omit<NewRecord, 'fileLists'> {
  readonly stepIdentity: string | undefined;
  /** The digest of the record's file lists (`KeyIndex.fileLists`), when it has some. */
  readonly fileListsDigest?: string;
  /** ISO 8601 time the record was written. */
  readonly created: string;
  /** The last write or `touch` (the record file's mtime). */
  readonly lastUsedMs: number;
}

export interface IndexEntry {
  readonly key: string;
  readonly path: string;
  readonly bytes: number;
  readonly lastUsedMs: number;
  /** Undefined when the file is unreadable or damaged. */
  readonly record: CacheRecord | undefined;
}

export interface KeyIndexOptions {
  /** Told about damaged records, which are then treated as misses. */
  readonly onWarning?: (message: string) => void;
}

const KEY_PATTERN = /^[a-f0-9]{64}$/;

export type IndexLayout = Pick<RootLayout, 'index' | 'tmp' | 'locks'>;

export class KeyIndex {
  private readonly records: string;
  private readonly steps: string;
  private readonly warn: (message: string) => void;

  constructor(private readonly layout: IndexLayout, options: KeyIndexOptions = {}) {
    this.records = join(layout.index, 'records');
    this.steps = join(layout.index, 'steps');
    this.warn = options.onWarning ?? (() => undefined);
  }

  recordPath(key: string): string {
    assertKey(key);
    return join(this.records, key.slice(0, 2), `${key}.json`);
  }

  /** The record for `key`, or undefined on a miss (absent, or damaged: then with a warning). */
  async get(key: string): Promise<CacheRecord | undefined> {
    const path = this.recordPath(key);
    let parsed: CacheRecord | string | undefined;
    try {
      const text = await readFile(path, 'utf8').catch(ignoreMissing);
      const stats = await stat(path).catch(ignoreMissing);
      parsed = text === undefined ? undefined : parseRecord(text, key, stats?.mtimeMs ?? Date.now());
    } catch (error) {
      parsed = `unreadable: ${(error as Error).message}`;
    }
    if (typeof parsed === 'string') {
      this.warn(`cache record ${key} is damaged (${parsed}); treating it as a miss`);
      return undefined;
    }
    return parsed;
  }

  /** Writes (or replaces) a record durably; write the layer blob first, then its record. */
  async put(record: NewRecord): Promise<CacheRecord> {
    const created = new Date().toISOString();
    let fileListsDigest: string | undefined;
    try {
      const listsPath = fileListsPath(this.recordPath(record.key));
      if (record.fileLists === undefined) await removeFileLists(listsPath);
      else fileListsDigest = await writeFileLists(listsPath, record.fileLists, this.layout.tmp);
    } catch (error) {
      throw asStoreError(error, this.layout.index);
    }
    const body = recordBody(record, created, fileListsDigest);
    const problem = checkBody(body, record.key);
    if (problem !== undefined) throw new TsbuildError('E_STORE', `refusing to write cache record ${record.key}: ${problem}`);
    try {
      await writeFileAtomic(this.recordPath(record.key), sealJson(body), { tmpDir: this.layout.tmp, mode: 0o600, failpoints: 'index' });
      if (record.stepIdentity !== undefined) await this.pointStep(record.stepIdentity, record.key);
    } catch (error) {
      throw asStoreError(error, this.layout.index);
    }
    const { fileLists: _lists, ...kept } = record;
    return { ...kept, stepIdentity: record.stepIdentity, created, lastUsedMs: Date.now(), ...(fileListsDigest ? { fileListsDigest } : {}) };
  }

  /** The record's file lists (explaining a miss; never needed for a hit), if it has readable ones. */
  async fileLists(record: Pick<CacheRecord, 'key' | 'fileListsDigest'>): Promise<Json | undefined> {
    if (record.fileListsDigest === undefined) return undefined;
    return readFileLists(fileListsPath(this.recordPath(record.key)), record.fileListsDigest);
  }

  /** Marks a record as just used (LRU), and as the latest for its step when one is given. */
  async touch(key: string, stepIdentity?: string): Promise<void> {
    const now = new Date();
    await utimes(this.recordPath(key), now, now).catch(ignoreMissing);
    if (stepIdentity !== undefined && (await this.stepKey(stepIdentity)) !== key) await this.pointStep(stepIdentity, key);
  }

  /** The last record written or used for this step, to diff its input against a new one. */
  async previousForStep(stepIdentity: string): Promise<CacheRecord | undefined> {
    const key = await this.stepKey(stepIdentity);
    return key === undefined ? undefined : this.get(key);
  }

  async delete(key: string): Promise<boolean> {
    const deleted = await unlink(this.recordPath(key)).then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    });
    await removeFileLists(fileListsPath(this.recordPath(key)));
    return deleted;
  }

  /** Removes file lists left without their record (a crash between the two writes); returns how many. */
  removeOrphanFileLists(): Promise<number> {
    return removeOrphanFileLists(this.records);
  }

  /** Every record file, damaged ones included (record undefined), for GC and verify. */
  async *entries(): AsyncGenerator<IndexEntry> {
    for (const shard of (await listNames(this.records)).filter((name) => /^[a-f0-9]{2}$/.test(name))) {
      for (const name of await listNames(join(this.records, shard))) {
        const key = name.slice(0, -'.json'.length);
        if (!name.endsWith('.json') || !KEY_PATTERN.test(key) || !key.startsWith(shard)) continue;
        const path = join(this.records, shard, name);
        const [text, stats] = await Promise.all([readFile(path, 'utf8').catch(ignoreMissing), stat(path).catch(ignoreMissing)]);
        if (text === undefined || stats === undefined) continue;
        const parsed = parseRecord(text, key, stats.mtimeMs);
        const record = typeof parsed === 'string' ? undefined : parsed;
        const listBytes = record?.fileListsDigest === undefined ? 0 : await fileListsBytes(fileListsPath(path));
        yield { key, path, bytes: stats.size + listBytes, lastUsedMs: stats.mtimeMs, record };
      }
    }
  }

  /** Removes step pointers that are damaged or name a record that is gone; returns how many. */
  async removeDanglingStepPointers(): Promise<number> {
    let removed = 0;
    for (const shard of await listNames(this.steps)) {
      for (const name of await listNames(join(this.steps, shard))) {
        const path = join(this.steps, shard, name);
        const unsealed = unsealJson(await readFile(path, 'utf8').catch(() => ''));
        const key = unsealed.ok ? (unsealed.body as { key?: unknown }).key : undefined;
        const alive = typeof key === 'string' && KEY_PATTERN.test(key) && (await stat(this.recordPath(key)).catch(() => undefined)) !== undefined;
        if (alive) continue;
        await unlink(path).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  /** A per-key "being built" lock: avoids building the same key twice at once, nothing more. */
  async lockForBuilding(key: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LockHolder> {
    return acquireLock(this.buildingLockPath(key), { ...options, tmpDir: this.layout.tmp, purpose: `building ${key}` });
  }

  async tryLockForBuilding(key: string): Promise<LockHolder | undefined> {
    return tryLock(this.buildingLockPath(key), { tmpDir: this.layout.tmp, purpose: `building ${key}` });
  }

  private buildingLockPath(key: string): string {
    assertKey(key);
    return join(this.layout.locks, `key-${key}.lock`);
  }

  private stepPath(stepIdentity: string): string {
    const hex = sha256Hex(stepIdentity);
    return join(this.steps, hex.slice(0, 2), `${hex}.json`);
  }

  private async pointStep(stepIdentity: string, key: string): Promise<void> {
    // Not fsynced: a pointer lost to a power cut only loses an explanation, never a result.
    await writeFileAtomic(this.stepPath(stepIdentity), sealJson({ step: stepIdentity, key }), { tmpDir: this.layout.tmp, mode: 0o600, durable: false });
  }

  private async stepKey(stepIdentity: string): Promise<string | undefined> {
    const text = await readFile(this.stepPath(stepIdentity), 'utf8').catch(() => '');
    if (text === '') return undefined;
    const unsealed = unsealJson(text);
    const body = unsealed.ok ? (unsealed.body as { step?: unknown; key?: unknown }) : undefined;
    if (body?.step !== stepIdentity || typeof body.key !== 'string' || !KEY_PATTERN.test(body.key)) {
      this.warn(`the step pointer for ${JSON.stringify(stepIdentity)} is damaged; ignoring it`);
      return undefined;
    }
    return body.key;
  }
}

function recordBody(record: NewRecord, created: string, fileListsDigest: string | undefined): Json {
  const layer = record.layer === null ? null : { digest: record.layer.digest, diffId: record.layer.diffId, size: record.layer.size };
  const body: { [key: string]: Json } = { key: record.key, layer, configChange: record.configChange, input: record.input, created };
  if (record.stepIdentity !== undefined) body.stepIdentity = record.stepIdentity;
  if (fileListsDigest !== undefined) body.fileLists = fileListsDigest;
  return body;
}

/** Returns a reason when the body is not a well-formed record for `key`. */
function checkBody(body: Json, key: string): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'not an object';
  if (body.key !== key) return `it names another key (${JSON.stringify(body.key)})`;
  const layer = body.layer;
  if (layer !== null) {
    if (typeof layer !== 'object' || Array.isArray(layer)) return 'bad layer';
    if (!isDigest(layer.digest) || !isDigest(layer.diffId)) return 'bad layer digest';
    if (typeof layer.size !== 'number' || !Number.isSafeInteger(layer.size) || layer.size < 0) return 'bad layer size';
  }
  if (typeof body.created !== 'string' || Number.isNaN(Date.parse(body.created))) return 'bad creation time';
  if (body.stepIdentity !== undefined && typeof body.stepIdentity !== 'string') return 'bad step identity';
  if (body.fileLists !== undefined && (typeof body.fileLists !== 'string' || !KEY_PATTERN.test(body.fileLists))) return 'bad file lists digest';
  if (!('configChange' in body) || !('input' in body)) return 'missing fields';
  return undefined;
}

/** A record, or the reason it cannot be trusted. */
function parseRecord(text: string, key: string, lastUsedMs: number): CacheRecord | string {
  const unsealed = unsealJson(text);
  if (!unsealed.ok) return unsealed.reason;
  const problem = checkBody(unsealed.body, key);
  if (problem !== undefined) return problem;
  const body = unsealed.body as { layer: LayerRef | null; configChange: Json; input: Json; created: string; stepIdentity?: string; fileLists?: string };
  const lists = body.fileLists !== undefined ? { fileListsDigest: body.fileLists } : {};
  return { key, layer: body.layer, configChange: body.configChange, input: body.input, stepIdentity: body.stepIdentity, created: body.created, lastUsedMs, ...lists };
}

function assertKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw new TsbuildError('E_STORE', `invalid cache key ${JSON.stringify(key)}: expected 64 lowercase hex digits`);
}

async function listNames(folder: string): Promise<string[]> {
  return (await readdir(folder).catch(ignoreMissing)) ?? [];
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}
