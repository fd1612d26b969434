// Reads a layer or archive stream as a sequence of tar entries. Compression is recognised by its
// magic bytes, never by a file name, and gzip is undone in-process with zlib: no decompressor
// binary is ever run, least of all one from an image (SECURITY B9, lesson 4). tar-stream only
// parses headers here; writing is the in-root writer's job (SECURITY §7: node-tar is not our
// extractor). Bytes are hashed before and after decompression so callers can verify both the blob
// digest and the DiffID, and the uncompressed byte budget stops a bomb while it is still small.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { TsbuildError } from '../../lib/errors.js';
import { ArchiveError } from './archive-error.js';
import { DigestMeter } from './digest-meter.js';
import { DEFAULT_EXPANSION_BUDGET, ratioGuard } from './expansion-budget.js';
import type { ParsedHeader } from './tar-entry.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC: readonly [Compression, readonly number[]][] = [
  ['gzip', [0x1f, 0x8b, 0x08]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/** The compression a stream starts with, judged from its first bytes only. */
export function detectCompression(head: Uint8Array): Compression {
  const match = MAGIC.find(([, magic]) => magic.every((byte, i) => head[i] === byte));
  return match ? match[0] : 'none';
}

/** A parsed entry: the header as tar-stream decoded it, and its data. */
export interface RawTarEntry {
  readonly header: ParsedHeader;
  readonly body: AsyncIterable<Buffer>;
}

export interface TarInputOptions {
  /** Budget on uncompressed tar bytes (headers, padding and data). */
  readonly maxBytes: number;
  /** The decompression-ratio budget (default DEFAULT_EXPANSION_BUDGET's); Infinity turns it off. */
  readonly maxRatio?: number;
  readonly ratioFloorBytes?: number;
  /** The input's full size when known; the ratio is then judged against it. */
  readonly archiveBytes?: number;
  readonly signal?: AbortSignal;
}

/** The digests of what was read; only meaningful after the entries were read to the end. */
export interface TarInputDigests {
  /** sha256 of the bytes as given (the compressed blob). */
  readonly digest: string;
  readonly compressedBytes: number;
  /** sha256 of the uncompressed tar: the DiffID. */
  readonly diffId: string;
  readonly bytes: number;
  readonly compression: Compression;
}

export class TarInput {
  private constructor(
    private readonly source: Readable,
    private readonly compression: Compression,
    private readonly options: TarInputOptions,
  ) {}

  private readonly raw = new DigestMeter();
  private tar: DigestMeter | undefined;
  private feeding: Promise<void> | undefined;
  private feedError: unknown;

  static async open(input: Readable, options: TarInputOptions): Promise<TarInput> {
    const { head, rest } = await splitHead(input, 6);
    const compression = detectCompression(head);
    if (compression !== 'none' && compression !== 'gzip') {
      rest.destroy();
      throw new ArchiveError('unsupported', `${compression} compressed layers are not supported yet (gzip and uncompressed are)`);
    }
    return new TarInput(rest, compression, options);
  }

  /** Yields every entry; an entry's body is drained automatically when the caller moves on. */
  async *entries(): AsyncGenerator<RawTarEntry> {
    // allowUnknownFormat: old v7 tars (no ustar magic) are valid layers; checksums are still checked.
    const extract = tarStream.extract({ allowUnknownFormat: true } as Parameters<typeof tarStream.extract>[0]);
    const ratio = ratioGuard(
      { maxRatio: this.options.maxRatio ?? DEFAULT_EXPANSION_BUDGET.maxRatio, ratioFloorBytes: this.options.ratioFloorBytes ?? DEFAULT_EXPANSION_BUDGET.ratioFloorBytes },
      this.options.archiveBytes,
    );
    this.tar = new DigestMeter({ limit: this.options.maxBytes, limitName: 'maxBytes', guard: (bytes) => ratio(bytes, this.raw.bytes) });
    const stages = this.compression === 'gzip' ? [this.raw, createGunzip(), this.tar] : [this.raw, this.tar];
    this.feeding = pipeline([this.source, ...stages, extract], { signal: this.options.signal }).catch((error: unknown) => {
      this.feedError = error;
    });
    try {
      for await (const entry of extract) {
        const body = entry as unknown as AsyncIterable<Buffer>; // streamx streams are async iterable
        yield { header: entry.header as ParsedHeader, body };
        for await (const _ of body) void _; // drain what the caller left
      }
    } catch (error) {
      throw await this.explain(error);
    } finally {
      this.source.destroy();
    }
    await this.feeding;
    if (this.feedError !== undefined) throw toArchiveError(this.feedError);
  }

  /**
   * The error to report for a failure while reading entries. When the input itself broke
   * (truncated, corrupt, over budget) the entry consumer often only sees its stream torn down;
   * then the input's own error is the one worth reporting. Errors of our own (an invalid name, a
   * path problem, a failed system call) are reported as they are.
   */
  async explain(error: unknown): Promise<unknown> {
    if (error instanceof TsbuildError) return error;
    this.source.destroy();
    await this.feeding;
    if (isTeardown(error)) return toArchiveError(this.feedError !== undefined && !isTeardown(this.feedError) ? this.feedError : error);
    return (error as NodeJS.ErrnoException).syscall !== undefined ? error : toArchiveError(error);
  }

  digests(): TarInputDigests {
    if (this.tar === undefined) throw new Error('TarInput.digests() called before reading the entries');
    return { digest: this.raw.digest(), compressedBytes: this.raw.bytes, diffId: this.tar.digest(), bytes: this.tar.bytes, compression: this.compression };
  }
}

/** Reads at least `want` bytes (or everything, if shorter) and gives back a stream of all of it. */
async function splitHead(input: Readable, want: number): Promise<{ head: Buffer; rest: Readable }> {
  const iterator: AsyncIterator<Buffer> = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < want) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { head, rest: Readable.from(all(), { objectMode: false }) };
}

/** A stream closed under the reader (a consequence of some other failure, not a cause). */
function isTeardown(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || /Stream was destroyed|Premature close/.test((error as Error | undefined)?.message ?? '');
}

/** Parser and zlib errors become archive errors with a reason; ours pass through unchanged. */
function toArchiveError(error: unknown): unknown {
  if (error instanceof ArchiveError || !(error instanceof Error)) return error;
  if ((error as NodeJS.ErrnoException).code === 'ABORT_ERR') return error;
  const message = error.message;
  if (/Unexpected end of data|unexpected end of file|Stream was destroyed|Premature close/i.test(message)) {
    return new ArchiveError('truncated', `the archive is truncated: ${message}`, { cause: error });
  }
  if (/Header exceeds max size/.test(message)) {
    return new ArchiveError('budget', `a PAX or long-name header exceeds the parser's 4 MiB limit`, { cause: error });
  }
  return new ArchiveError('invalid-header', `the archive is not a valid tar stream: ${message}`, { cause: error });
}
