// Errors about a layer or archive's *content*. A layer from a base image is attacker input
// (SECURITY lesson 1), so everything the reader refuses is reported with a reason specs and the
// scheduler can switch on, and with the offending entry name so a user can find it in the tar.
import { TsbuildError } from '../../lib/errors.js';

/**
 * Why an archive was refused.
 * - invalid-entry-name: a name that escapes the root after cleaning (`..`, `a/../../x`).
 * - invalid-whiteout: `.wh..`, `.wh...`, a bare `.wh.` (SECURITY C3, image-spec PR #1314).
 * - invalid-header: a header our parser cannot trust (negative or absurd ids, unknown type).
 * - budget: a configured limit (bytes, entries, depth, PAX header size) was exceeded (SECURITY B7).
 * - truncated: the stream ended inside an entry or a header.
 * - unsupported: a compression or entry type we do not handle (bzip2, xz, zstd, sparse files).
 * - link-target: a hard link whose target does not exist where it may be taken from.
 * - digest-mismatch: the bytes did not hash to the digest the caller expected.
 */
export type ArchiveErrorReason =
  | 'invalid-entry-name'
  | 'invalid-whiteout'
  | 'invalid-header'
  | 'budget'
  | 'truncated'
  | 'unsupported'
  | 'link-target'
  | 'digest-mismatch';

/** A refused archive. `code` is E_INTEGRITY: the content is not what a valid layer looks like. */
export class ArchiveError extends TsbuildError {
  readonly reason: ArchiveErrorReason;
  /** The entry name as written in the archive, when one entry is to blame. */
  readonly entry?: string;

  constructor(reason: ArchiveErrorReason, message: string, options?: { entry?: string; cause?: unknown }) {
    super('E_INTEGRITY', message, options);
    this.reason = reason;
    if (options?.entry !== undefined) this.entry = options.entry;
  }
}

/** A limit was exceeded; the message names the limit so the user knows which option to raise. */
export function budgetExceeded(limit: string, value: number, entry?: string): ArchiveError {
  const where = entry === undefined ? '' : ` at entry ${JSON.stringify(entry)}`;
  return new ArchiveError('budget', `layer exceeds the ${limit} budget (${value})${where}`, entry === undefined ? {} : { entry });
}
