// Remembers content digests of context files by their stat, so an unchanged context can be
// checked without reading it. It only ever skips work: a digest is returned only when size,
// mtime, ctime, inode and device all match what was recorded, and nothing is recorded for a
// file whose timestamps are too close to the moment it was read (git's "racy" problem: a change
// within the same timestamp tick would go unnoticed). Restoring mtime (`touch -d`) after an edit
// still moves ctime, which the kernel sets and user space cannot.
//
// One file per context folder: <root>/statcache-v1/<sha256 of the context's real path>.json
// (the format version is in the folder name). It is written atomically through the root's tmp/
// (cache/atomic-file.ts); one that cannot be read or parsed is ignored.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import type { RootLayout } from './root.js';

/** The stat fields a recorded digest is tied to. */
export interface StatKey {
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
  readonly dev: bigint;
}

export interface StatCacheOptions {
  /** How close to the read a timestamp may be and still be trusted (default 2000 ms). */
  readonly racyWindowMs?: number;
}

const FORMAT = 'tsbuild-statcache';
const VERSION = 1;
const MAX_FILE_BYTES = 256 * 1024 * 1024;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const INTEGER = /^[0-9]+$/;

interface Recorded extends StatKey {
  readonly digest: string;
}

/** On disk: [path, size, mtimeNs, ctimeNs, ino, dev, digest]; bigints as decimal strings. */
type Row = [string, number, string, string, string, string, string];

export class StatCache {
  private readonly recorded = new Map<string, Recorded>();
  private readonly racyWindowNs: bigint;
  /** Whether the entries differ from the file's, so that a no-op build need not rewrite it. */
  private changed = false;
  hits = 0;
  misses = 0;

  private constructor(
    readonly file: string,
    private readonly tmpDir: string,
    readonly contextRoot: string,
    options: StatCacheOptions,
  ) {
    this.racyWindowNs = BigInt(Math.round((options.racyWindowMs ?? 2000) * 1e6));
  }

  /**
   * Loads the cache for a context (its real path) from the root (whose folders must exist:
   * createRootFolders). A missing or unreadable file gives an empty cache.
   */
  static async load(layout: Pick<RootLayout, 'statcache' | 'tmp'>, contextRoot: string, options: StatCacheOptions = {}): Promise<StatCache> {
    const name = createHash('sha256').update(contextRoot).digest('hex');
    const cache = new StatCache(join(layout.statcache, `${name}.json`), layout.tmp, contextRoot, options);
    for (const [path, recorded] of await readRows(cache.file, contextRoot)) cache.recorded.set(path, recorded);
    return cache;
  }

  /** The recorded content digest, only if every stat field matches. */
  lookup(path: string, key: StatKey): string | undefined {
    const recorded = this.recorded.get(path);
    const hit = recorded !== undefined && sameKey(recorded, key);
    if (hit) this.hits++;
    else this.misses++;
    return hit ? recorded.digest : undefined;
  }

  /**
   * Records a digest for content read with the file in state `key`, the read having started at
   * `readStartedAtMs` (wall clock). Racy entries are not recorded.
   */
  record(path: string, key: StatKey, digest: string, readStartedAtMs: number): void {
    const trustedBefore = BigInt(Math.floor(readStartedAtMs)) * 1_000_000n - this.racyWindowNs;
    if (key.mtimeNs >= trustedBefore || key.ctimeNs >= trustedBefore) {
      if (this.recorded.delete(path)) this.changed = true;
      return;
    }
    const before = this.recorded.get(path);
    if (before !== undefined && before.digest === digest && sameKey(before, key)) return;
    this.recorded.set(path, { ...key, digest });
    this.changed = true;
  }

  /** Drops entries for paths no longer in the context. */
  retainOnly(livePaths: ReadonlySet<string>): void {
    for (const path of this.recorded.keys()) {
      if (!livePaths.has(path)) {
        this.recorded.delete(path);
        this.changed = true;
      }
    }
  }

  get size(): number {
    return this.recorded.size;
  }

  /** Writes the cache atomically, unless nothing changed since it was loaded or saved. */
  async save(): Promise<void> {
    if (!this.changed) return;
    const rows: Row[] = [...this.recorded].map(([path, r]) => [path, r.size, `${r.mtimeNs}`, `${r.ctimeNs}`, `${r.ino}`, `${r.dev}`, r.digest]);
    const text = JSON.stringify({ format: FORMAT, version: VERSION, context: this.contextRoot, rows });
    await writeFileAtomic(this.file, text, { tmpDir: this.tmpDir, mode: 0o600 });
    this.changed = false;
  }
}

function sameKey(a: StatKey, b: StatKey): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev;
}

/** Every valid row of the file; anything wrong with the file as a whole yields none. */
async function readRows(file: string, contextRoot: string): Promise<[string, Recorded][]> {
  try {
    const text = await readFile(file, 'utf8');
    if (text.length > MAX_FILE_BYTES) return [];
    const parsed = JSON.parse(text) as { format?: unknown; version?: unknown; context?: unknown; rows?: unknown };
    if (parsed.format !== FORMAT || parsed.version !== VERSION || parsed.context !== contextRoot) return [];
    if (!Array.isArray(parsed.rows)) return [];
    return parsed.rows.filter(isRow).map((row) => [row[0], toRecorded(row)]);
  } catch {
    return []; // a cache is disposable: unreadable means empty
  }
}

function isRow(value: unknown): value is Row {
  if (!Array.isArray(value) || value.length !== 7) return false;
  const [path, size, mtime, ctime, ino, dev, digest] = value as unknown[];
  return typeof path === 'string' && Number.isSafeInteger(size) && (size as number) >= 0
    && [mtime, ctime, ino, dev].every((field) => typeof field === 'string' && INTEGER.test(field))
    && typeof digest === 'string' && DIGEST.test(digest);
}

function toRecorded(row: Row): Recorded {
  return { size: row[1], mtimeNs: BigInt(row[2]), ctimeNs: BigInt(row[3]), ino: BigInt(row[4]), dev: BigInt(row[5]), digest: row[6] };
}
