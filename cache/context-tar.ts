// A build context that arrives as a tar stream (`tsbuild build - < context.tar`, optionally
// gzipped): unpacked into a private temp folder through SafeTreeWriter, then opened like any
// other folder. tar-stream only parses; every write decision is ours. Budgets on entry count and
// total bytes stop a hostile tar from filling the disk or the inode table.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tarStream, { type Extract, type Header } from 'tar-stream';
import { TsbuildError } from '../lib/errors.js';
import { BuildContext, type ContextOptions } from './context.js';
import { toContextPath } from './context-path.js';
import { SafeTreeWriter, type EntryMetadata } from './safe-tree-writer.js';

export interface TarLimits {
  /** Most entries accepted (default one million). */
  readonly maxEntries?: number;
  /** Most bytes of file content accepted (default 16 GiB). */
  readonly maxBytes?: number;
  /** Deepest path accepted (default 1024, as node-tar). */
  readonly maxDepth?: number;
}

export interface TarContextOptions extends Omit<ContextOptions, 'removeOnDispose' | 'dockerfile'>, TarLimits {
  /** Where to create the temp folder (default: the OS temp folder). */
  readonly tempDir?: string;
  /** The Dockerfile's path inside the tar (default `Dockerfile`). */
  readonly dockerfile?: string;
}

export interface UnpackReport {
  readonly entries: number;
  /** Entries not unpacked (devices and FIFOs cannot be created without native code). */
  readonly skipped: readonly { readonly name: string; readonly type: string }[];
}

const DEFAULT_LIMITS = { maxEntries: 1_000_000, maxBytes: 16 * 1024 ** 3, maxDepth: 1024 };

/** Unpacks `input` into a new temp folder and opens it; dispose() removes the folder. */
export async function openTarContext(input: Readable, options: TarContextOptions = {}): Promise<BuildContext> {
  const folder = await mkdtemp(join(options.tempDir ?? tmpdir(), 'tsbuild-context-'));
  try {
    await unpackContextTar(input, folder, options);
    return await BuildContext.open(folder, {
      dockerfile: join(folder, toContextPath(options.dockerfile ?? 'Dockerfile')),
      ...(options.dockerfileFromStdin === undefined ? {} : { dockerfileFromStdin: options.dockerfileFromStdin }),
      ...(options.ignorePatterns === undefined ? {} : { ignorePatterns: options.ignorePatterns }),
      removeOnDispose: true,
    });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/** Unpacks a (possibly gzipped) context tar into `folder`, which must be new and private. */
export async function unpackContextTar(input: Readable, folder: string, limits: TarLimits = {}): Promise<UnpackReport> {
  const budget = { ...DEFAULT_LIMITS, ...definedOnly(limits) };
  const writer = new SafeTreeWriter(folder, budget);
  const extract = tarStream.extract();
  const feeding = feed(await decompressed(input), extract).catch((error: unknown) => {
    extract.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  const skipped: { name: string; type: string }[] = [];
  let entries = 0;
  try {
    for await (const entry of extract) {
      if (++entries > budget.maxEntries) {
        throw new TsbuildError('E_CONTEXT', `the context tar has more than ${budget.maxEntries} entries`);
      }
      if (!(await writeEntry(writer, entry.header, entry as AsyncIterable<Uint8Array>))) skipped.push({ name: entry.header.name, type: entry.header.type });
      entry.resume(); // whatever was not read must be drained before the next entry
    }
  } catch (error) {
    extract.destroy();
    throw asContextError(error);
  } finally {
    await feeding;
  }
  await writer.finish();
  return { entries, skipped };
}

/** Writes the input into the parser, waiting when it asks us to; stops if it is destroyed. */
async function feed(input: AsyncIterable<Buffer>, extract: Extract): Promise<void> {
  for await (const chunk of input) {
    if (extract.destroyed) return;
    if (!extract.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          extract.off('drain', done);
          extract.off('close', done);
          resolve();
        };
        extract.on('drain', done);
        extract.on('close', done);
      });
    }
  }
  if (!extract.destroyed) extract.end(undefined); // streamx: end() with no final chunk
}

/** Writes one entry; returns false for entry types we leave out. */
async function writeEntry(writer: SafeTreeWriter, header: Header, content: AsyncIterable<Uint8Array>): Promise<boolean> {
  const path = writer.safeName(header.name);
  const meta: EntryMetadata = { mode: header.mode ?? 0o644, uid: header.uid ?? 0, gid: header.gid ?? 0, ...(header.mtime ? { mtime: header.mtime } : {}) };
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      await writer.file(path, meta, header.size ?? 0, content);
      return true;
    case 'directory':
      await writer.directory(path, meta);
      return true;
    case 'symlink':
      await writer.symlink(path, header.linkname ?? '', meta);
      return true;
    case 'link':
      await writer.hardlink(path, header.linkname ?? '');
      return true;
    default:
      return false;
  }
}

/** gzip is recognised by its magic bytes, as `docker build -` does. */
async function decompressed(input: Readable): Promise<AsyncIterable<Buffer>> {
  const iterator = input[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value as Uint8Array);
  const rest = Readable.from((async function* () {
    if (head.length > 0) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer;
  })());
  if (head[0] !== 0x1f || head[1] !== 0x8b) return rest;
  const gunzip = createGunzip();
  pipeline(rest, gunzip).catch((error: unknown) => gunzip.destroy(error as Error));
  return gunzip;
}

function asContextError(error: unknown): TsbuildError {
  if (error instanceof TsbuildError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TsbuildError('E_CONTEXT', `cannot read the context tar: ${reason}`, { cause: error });
}

function definedOnly(limits: TarLimits): Partial<typeof DEFAULT_LIMITS> {
  return Object.fromEntries(Object.entries(limits).filter(([key, value]) => key in DEFAULT_LIMITS && value !== undefined));
}
