// Benchmark (not a test): hashing a 20,000-file build context (400 folders, ~80 MB).
//   cold: walk + read and hash every file (no stat cache; the OS page cache is warm, since the
//         files were just written — this measures our hashing, not the disk);
//   warm: a new process-like start: load the stat cache, walk, and check every file by stat.
// Usage: node dist/bench/context-hash.js [--files N] [--folders N] [--keep]
// `npm run bench` runs it too (measureContextHashing) and prints its figures with the table.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { canonicalJson } from '../cache/cache-key.js';
import { boundedFileList, fileListJson, selectedEntries } from '../cache/context-files.js';
import { ContextHasher } from '../cache/context-hash.js';
import { BuildContext } from '../cache/context.js';
import { createRootFolders, rootLayout } from '../cache/root.js';
import { StatCache } from '../cache/stat-cache.js';

export interface BenchOptions {
  readonly files: number;
  readonly folders: number;
  readonly keep: boolean;
}

function parseOptions(argv: readonly string[]): BenchOptions {
  const value = (flag: string, fallback: number) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  return { files: value('--files', 20_000), folders: value('--folders', 400), keep: argv.includes('--keep') };
}

/** Sizes from 1 KiB to 7 KiB, 4 KiB on average; contents differ per file. */
function createContext(root: string, options: BenchOptions): number {
  let bytes = 0;
  const perFolder = Math.ceil(options.files / options.folders);
  for (let folder = 0; folder < options.folders; folder++) {
    const dir = join(root, `pkg-${String(folder).padStart(3, '0')}`, 'src');
    mkdirSync(dir, { recursive: true });
    for (let n = 0; n < perFolder && folder * perFolder + n < options.files; n++) {
      const index = folder * perFolder + n;
      const size = 1024 + ((index * 7919) % 6145);
      const content = Buffer.alloc(size, index % 251);
      content.writeUInt32LE(index, 0);
      writeFileSync(join(dir, `file-${n}.js`), content);
      bytes += size;
    }
  }
  writeFileSync(join(root, '.dockerignore'), 'pkg-399/src/file-1*.js\n!pkg-399/src/file-1.js\n');
  return bytes;
}

async function hashWholeContext(root: string, statCache: StatCache) {
  const started = performance.now();
  const context = await BuildContext.open(root);
  const walked = performance.now();
  const hasher = new ContextHasher(context, { statCache });
  const selected = await context.select('.');
  const { digest } = await hasher.digestSources(selected);
  const done = performance.now();
  return { digest, walkMs: walked - started, totalMs: done - started, filesRead: hasher.filesRead, bytesRead: hasher.bytesRead, entries: context.entries.length, hasher, selected };
}

/** What a miss of `COPY .` adds to record the file list beside its record (a hit does none of it). */
async function measureFileList(hashed: Awaited<ReturnType<typeof hashWholeContext>>): Promise<void> {
  const started = performance.now();
  const entries = await selectedEntries(hashed.hasher, hashed.selected);
  const list = boundedFileList(entries);
  const bytes = canonicalJson(fileListJson(list)).length;
  const kept = Object.keys(list.entries).length + Object.keys(list.folders).length;
  console.log(`file list for a miss: ${(performance.now() - started).toFixed(0)} ms, ${entries.length} entries kept as ${kept} (${Object.keys(list.folders).length} folders), ${(bytes / 1024).toFixed(0)} KiB`);
}

export interface HashingFigures {
  readonly files: number;
  /** Reading and hashing every file with no stat cache (walk excluded). */
  readonly coldMbPerSecond: number;
  readonly coldMs: number;
  /** Walk and stat-cache check of the unchanged context, in one process. */
  readonly warmMs: number;
}

/** Writes a context, hashes it cold and checks it warm; logs each step and returns the figures. */
export async function measureContextHashing(options: BenchOptions): Promise<HashingFigures> {
  const root = mkdtempSync(join(tmpdir(), 'tsbuild-bench-context-'));
  const stateRoot = mkdtempSync(join(tmpdir(), 'tsbuild-bench-root-'));
  const layout = rootLayout(stateRoot);
  try {
    const createStarted = performance.now();
    const bytes = createContext(root, options);
    console.log(`context: ${options.files} files in ${options.folders} folders, ${(bytes / 1e6).toFixed(1)} MB (created in ${(performance.now() - createStarted).toFixed(0)} ms)`);
    // Files younger than the racy window (2 s) are never recorded in the stat cache.
    await new Promise((resolve) => setTimeout(resolve, 2100));

    await createRootFolders(layout);
    const contextRoot = realpathSync(root);
    const coldCache = await StatCache.load(layout, contextRoot);
    const cold = await hashWholeContext(root, coldCache); // starts empty, records every file
    await coldCache.save();
    const mbPerSecond = cold.bytesRead / 1e6 / ((cold.totalMs - cold.walkMs) / 1000);
    console.log(`cold hash: ${cold.totalMs.toFixed(0)} ms (walk ${cold.walkMs.toFixed(0)} ms), ${cold.filesRead} files read, ${mbPerSecond.toFixed(0)} MB/s hashing, ${(cold.bytesRead / 1e6 / (cold.totalMs / 1000)).toFixed(0)} MB/s overall`);

    const warmCache = await StatCache.load(layout, contextRoot);
    const warm = await hashWholeContext(root, warmCache);
    console.log(`warm check: ${warm.totalMs.toFixed(0)} ms (walk ${warm.walkMs.toFixed(0)} ms), ${warm.filesRead} files read, ${warmCache.hits} stat-cache hits`);
    if (warm.digest !== cold.digest) throw new Error('digests differ between runs');
    await measureFileList(warm);
    return { files: options.files, coldMbPerSecond: mbPerSecond, coldMs: cold.totalMs, warmMs: warm.totalMs };
  } finally {
    if (!options.keep) {
      rmSync(root, { recursive: true, force: true });
      rmSync(stateRoot, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await measureContextHashing(parseOptions(process.argv.slice(2)));
}
