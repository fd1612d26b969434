// How far an archive may expand when it is decompressed (SECURITY B7). Three numbers bound it:
// - an absolute cap on the uncompressed bytes, whatever the input;
// - a decompression ratio: past a floor, the uncompressed bytes may be at most `maxRatio` times
//   the compressed bytes (the archive's whole size when the caller knows it, else the bytes read
//   so far). A gzip bomb of zeros expands about 1000:1 and trips it at the floor, while small
//   archives, whatever their ratio, never do. Real layers expand 2-10:1; a legitimate layer holding
//   a huge file of zeros (a sparse lastlog, a preallocated database) is the false positive, and
//   the error names the budget so it can be raised.
// The guard is a stream stage placed after the decompressor; it fails with an ArchiveError that
// names the archive, its sizes and the budget that was spent.
import { ArchiveError } from './archive-error.js';

export interface ExpansionBudget {
  /** Uncompressed bytes (tar headers, padding and data), whatever the ratio. */
  readonly maxBytes: number;
  /** Uncompressed bytes per compressed byte, checked once the floor is passed. */
  readonly maxRatio: number;
  /** Below this many uncompressed bytes the ratio is not checked. */
  readonly ratioFloorBytes: number;
}

export const DEFAULT_EXPANSION_BUDGET: ExpansionBudget = {
  maxBytes: 64 * 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 256 * 1024 ** 2,
};

/** The most uncompressed bytes the ratio allows after `compressed` input bytes (maxBytes aside). */
export function ratioLimit(budget: Pick<ExpansionBudget, 'maxRatio' | 'ratioFloorBytes'>, compressed: number): number {
  return Math.max(budget.ratioFloorBytes, budget.maxRatio * compressed);
}

/**
 * The ratio check for a decompressing reader: call it with the byte counts after every chunk; it
 * returns the error to fail with, or null. `compressedSoFar` is ignored when the archive's full
 * size is known: that judges an archive with a zero-filled start by its whole, and covers input a
 * host tool decompressed before we saw it (xz, bzip2). The absolute maxBytes cap is the byte
 * meter's own limit.
 */
export function ratioGuard(budget: Pick<ExpansionBudget, 'maxRatio' | 'ratioFloorBytes'>, archiveBytes?: number): (expanded: number, compressedSoFar: number) => ArchiveError | null {
  return (expanded, compressedSoFar) => {
    const compressed = archiveBytes ?? compressedSoFar;
    if (expanded <= ratioLimit(budget, compressed)) return null;
    const why = `more than ${budget.maxRatio} times its ${formatBytes(compressed)} of compressed input (the maxRatio budget, checked past ${formatBytes(budget.ratioFloorBytes)}): a decompression bomb?`;
    return new ArchiveError('budget', `the archive expands to ${formatBytes(expanded)} or more, ${why}`);
  };
}

/** The same error with the archive's name in front, so the user knows which input to look at. */
export function labelArchiveError(error: unknown, label: string | undefined): unknown {
  if (label === undefined || !(error instanceof ArchiveError) || error.message.startsWith(label)) return error;
  const message = `${label}: ${error.message.replace(/^the archive /, '')}`;
  return new ArchiveError(error.reason, message, { ...(error.entry !== undefined ? { entry: error.entry } : {}), cause: error });
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
