// A pass-through stream stage that hashes (sha256) and counts the bytes flowing through it, and
// can stop the flow once a byte budget is spent. The layer reader puts one before decompression
// (the blob digest) and one after (the DiffID and the uncompressed-size budget, which is what
// defuses a gzip bomb: SECURITY B7 prefers absolute byte budgets to a ratio cap). The layer writer
// uses one to produce the DiffID while it streams.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { budgetExceeded } from './archive-error.js';

export interface DigestMeterOptions {
  /** Fail once more than this many bytes have passed. */
  readonly limit?: number;
  /** The budget's name in the error message, e.g. `maxBytes`. */
  readonly limitName?: string;
  /** A further check after every chunk, given the bytes so far (the decompression ratio's). */
  readonly guard?: (bytes: number) => Error | null;
}

export class DigestMeter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;
  private final: string | undefined;

  constructor(private readonly options: DigestMeterOptions = {}) {
    super();
  }

  get bytes(): number {
    return this.count;
  }

  /** `sha256:<hex>` of everything that passed; only valid once the stream has ended. */
  digest(): string {
    this.final ??= `sha256:${this.hash.digest('hex')}`;
    return this.final;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    const { limit, limitName } = this.options;
    if (limit !== undefined && this.count > limit) {
      callback(budgetExceeded(limitName ?? 'byte', limit));
      return;
    }
    const refused = this.options.guard?.(this.count) ?? null;
    if (refused !== null) {
      callback(refused);
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

/** Accepts only `sha256:` followed by 64 lowercase hex digits (image-spec descriptor grammar). */
export function isSha256Digest(value: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(value);
}
