// Hashing while bytes move: into a temp file when a blob is stored, and through a verifying
// stream when one is read. Both check the size as they go, so an oversized stream is stopped
// at the first byte too many rather than written or handed out in full.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TsbuildError } from '../lib/errors.js';
import type { TempFile } from './atomic-file.js';
import { failpoint } from './failpoints.js';
import { integrityError } from './store-errors.js';

export interface ExpectedBlob {
  readonly expectedDigest?: string | undefined;
  readonly expectedSize?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

const SLICE = 1 << 20;

/** Streams `source` into `temp`, hashing; checks expected size and digest. */
export async function hashInto(temp: TempFile, source: Uint8Array | AsyncIterable<Uint8Array>, options: ExpectedBlob): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of chunksOf(source)) {
    if (options.signal?.aborted) throw new TsbuildError('E_ABORTED', 'storing a blob was cancelled', { cause: options.signal.reason });
    if (!(chunk instanceof Uint8Array)) throw new TypeError('ingest: a stream must yield Buffers or Uint8Arrays, not strings');
    size += chunk.byteLength;
    if (options.expectedSize !== undefined && size > options.expectedSize) {
      throw integrityError(options.expectedDigest ?? 'the blob', `size mismatch (more than the expected ${options.expectedSize} bytes)`, false);
    }
    hash.update(chunk);
    await temp.write(chunk);
    if (size === chunk.byteLength) failpoint('content.afterWrite');
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (options.expectedSize !== undefined && size !== options.expectedSize) {
    throw integrityError(options.expectedDigest ?? digest, `size mismatch (got ${size} bytes, expected ${options.expectedSize})`, false);
  }
  if (options.expectedDigest !== undefined && digest !== options.expectedDigest) {
    throw integrityError(options.expectedDigest, `digest mismatch (received ${digest})`, false);
  }
  return { digest, size };
}

async function* chunksOf(source: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (!(source instanceof Uint8Array)) {
    yield* source;
    return;
  }
  if (source.byteLength === 0) yield source;
  for (let offset = 0; offset < source.byteLength; offset += SLICE) yield source.subarray(offset, offset + SLICE);
}

/** Hashes what passes through; fails in flush (before 'end') when the blob is not its digest. */
export class VerifyingTransform extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;
  failure: TsbuildError | undefined;
  verified = false;

  constructor(private readonly digest: string, private readonly options: ExpectedBlob, private readonly removeBad: () => Promise<void>) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    const limit = this.options.expectedSize;
    if (limit !== undefined && this.size > limit) return callback(this.fail(integrityError(this.digest, `size mismatch (more than the expected ${limit} bytes)`, false)));
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== this.digest) {
      const failure = this.fail(integrityError(this.digest, `digest mismatch (read ${actual})`, true));
      this.removeBad().then(() => callback(failure), () => callback(failure));
      return;
    }
    try {
      checkExpectedSize(this.digest, this.size, this.options);
    } catch (error) {
      return callback(this.fail(error as TsbuildError));
    }
    this.verified = true;
    callback();
  }

  private fail(error: TsbuildError): TsbuildError {
    this.failure = error;
    return error;
  }
}

export function checkExpectedSize(digest: string, size: number, options: ExpectedBlob): void {
  const expected = options.expectedSize;
  if (expected !== undefined && size !== expected) throw integrityError(digest, `size mismatch (stored ${size} bytes, expected ${expected})`, false);
}

