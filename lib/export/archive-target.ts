// Where an archive goes: a file (written beside it under a temp name, renamed into place only once
// complete, so a failed export never leaves a half archive under the asked name) or a stream
// (stdout, never a terminal).
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { TsbuildError, UsageError } from '../errors.js';

/** Runs `write` against a temp file next to `path` and renames it to `path` once it succeeded. */
export async function writeFileVia<T>(path: string, write: (sink: Writable) => Promise<T>): Promise<T> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  try {
    // Opened before any work starts, so a missing folder or a permission problem is reported
    // at once rather than from a stream nobody listens to yet.
    const handle = await open(temp, 'wx', 0o644);
    const result = await write(handle.createWriteStream());
    await rename(temp, path);
    return result;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Refuses to write an archive to a terminal, as docker save does. */
export function requireNonTerminal(stream: Writable, what: string): Writable {
  if ((stream as Writable & { isTTY?: boolean }).isTTY) throw new UsageError(`cowardly refusing to write ${what} to a terminal: use -o or redirect the output`);
  return stream;
}

/**
 * Wraps a long-lived stream (stdout) so that ending the archive does not close it. A write error
 * there (EPIPE when the reader went away: `tsbuild save | head`) fails the archive instead of
 * surfacing as an 'error' event nobody listens to, which crashed the process.
 */
export function keepOpen(stream: Writable): Writable {
  let failed: Error | undefined;
  const remember = (error: Error): void => void (failed ??= outputError(error));
  stream.on('error', remember);
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (failed !== undefined) return callback(failed);
      const done = (error?: Error | null): void => {
        stream.off('drain', onDrain);
        stream.off('error', done);
        callback(error ? outputError(error) : failed);
      };
      const onDrain = (): void => done();
      if (stream.write(chunk)) return callback();
      stream.once('drain', onDrain);
      stream.once('error', done);
    },
    final(callback) {
      stream.off('error', remember);
      callback(failed);
    },
    destroy(error, callback) {
      stream.off('error', remember);
      callback(error);
    },
  });
}

/** EPIPE: the reader of the output went away; said plainly, not as an internal error. */
function outputError(error: Error): Error {
  if ((error as NodeJS.ErrnoException).code !== 'EPIPE') return error;
  return new TsbuildError('E_ABORTED', 'the output was closed before the archive was written (broken pipe)', { cause: error });
}
