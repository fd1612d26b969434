// What a digest string may look like. Validated before any path is built from one, so a
// digest from a manifest, a record or a caller can never name a file outside the store.
import { TsbuildError } from '../lib/errors.js';

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/** Throws E_INTEGRITY unless `value` is `sha256:` and 64 lowercase hex digits. */
export function assertDigest(value: unknown, what = 'digest'): asserts value is string {
  if (!isDigest(value)) {
    throw new TsbuildError('E_INTEGRITY', `invalid ${what} ${JSON.stringify(value)}: expected sha256:<64 lowercase hex digits>`);
  }
}
