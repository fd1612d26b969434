// ADD of an http(s) URL: downloaded to a spool file (with a size budget), checked against --checksum, and
// written as BuildKit does: mode 0600 before --chmod, mtime from Last-Modified, the file name taken
// from the URL path when the destination is a directory.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TsbuildError } from '../../lib/errors.js';

/** Downloads bigger than this are refused (the archive budget's order of magnitude). */
export const MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024;

export interface Download {
  /** The downloaded bytes, spooled to a file under the step's state folder (never held in memory). */
  readonly file: string;
  readonly mtime?: Date;
  /** The last path component of the URL, or `__unnamed__` as BuildKit names a bare host. */
  readonly name: string;
  /** Deletes the spooled file. */
  remove(): Promise<void>;
}

export function isRemoteUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** `git@…`, `git://…` and `https://….git[#ref[:subdir]]`, as BuildKit tells Git sources apart. */
export function isGitSource(source: string): boolean {
  return /^git@|^git:\/\/|^ssh:\/\//.test(source) || /^https?:\/\/[^#]*\.git(#.*)?$/i.test(source);
}

export function urlFileName(url: string): string {
  const name = posix.basename(new URL(url).pathname);
  return name === '' || name === '/' ? '__unnamed__' : decodeURIComponent(name);
}

/** Downloads `url` into a new file under `spoolDir`, hashing as it writes; removed again on failure. */
export async function download(url: string, checksum: string | undefined, signal: AbortSignal, spoolDir: string): Promise<Download> {
  if (checksum !== undefined && !CHECKSUM.test(checksum)) throw new TsbuildError('E_STEP', `invalid checksum digest format: ${checksum}`);
  const response = await fetch(url, { signal, redirect: 'follow' });
  if (!response.ok || response.body === null) throw new TsbuildError('E_STEP', `failed to load cache key: invalid response status ${response.status}`);
  await mkdir(spoolDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(spoolDir, 'download-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const file = join(dir, 'data');
    const hash = createHash('sha256');
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), sizeBudget(url, hash), createWriteStream(file, { mode: 0o600 }), { signal });
    if (checksum !== undefined) verifyChecksum(`sha256:${hash.digest('hex')}`, checksum);
    const modified = response.headers.get('last-modified');
    const mtime = modified !== null && !Number.isNaN(Date.parse(modified)) ? new Date(modified) : undefined;
    return { file, name: urlFileName(url), remove, ...(mtime ? { mtime } : {}) };
  } catch (error) {
    await remove();
    throw error;
  }
}

const CHECKSUM = /^sha256:[0-9a-f]{64}$/;

/** Passes bytes through, feeding the hash and refusing more than MAX_DOWNLOAD_BYTES. */
function sizeBudget(url: string, hash: Hash): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > MAX_DOWNLOAD_BYTES) return callback(new TsbuildError('E_STEP', `download of ${url} exceeds ${MAX_DOWNLOAD_BYTES} bytes`));
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

function verifyChecksum(actual: string, checksum: string): void {
  if (actual !== checksum) throw new TsbuildError('E_STEP', `digest mismatch ${actual}: ${checksum}`);
}
