// The errors the store reports. System errors while writing become E_STORE with a message that
// says what went wrong in words (a full disk above all), keeping the system error as the cause.
import { TsbuildError } from '../lib/errors.js';

/** A blob that is not what its digest says. `removed`: the bad copy was deleted from the store. */
export function integrityError(digest: string, reason: string, removed: boolean): TsbuildError {
  return new TsbuildError('E_INTEGRITY', `blob ${digest}: ${reason}${removed ? '; the bad copy was removed from the store' : ''}`);
}

/** Wraps a system error met while writing under `where`; our own errors pass through. */
export function asStoreError(error: unknown, where: string): unknown {
  if (error instanceof TsbuildError || !(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new TsbuildError('E_STORE', `no space left on device: cannot write to the tsbuild store at ${where} (free space or run tsbuild prune)`, { cause: error });
  }
  if (typeof code === 'string' && code.startsWith('E')) {
    return new TsbuildError('E_STORE', `cannot write to the tsbuild store at ${where}: ${error.message}`, { cause: error });
  }
  return error;
}
