// ADD of an http(s) URL: downloaded in full (with a size budget), checked against --checksum, and
// written as BuildKit does: mode 0600 before --chmod, mtime from Last-Modified, the file name taken
// from the URL path when the destination is a directory.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';

/** Downloads bigger than this are refused (the archive budget's order of magnitude). */
export const MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024;

export interface Download {
  readonly data: Buffer;
  readonly mtime?: Date;
  /** The last path component of the URL, or `__unnamed__` as BuildKit names a bare host. */
  readonly name: string;
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

export async function download(url: string, checksum: string | undefined, signal: AbortSignal): Promise<Download> {
  const response = await fetch(url, { signal, redirect: 'follow' });
  if (!response.ok || response.body === null) throw new TsbuildError('E_STEP', `failed to load cache key: invalid response status ${response.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_DOWNLOAD_BYTES) throw new TsbuildError('E_STEP', `download of ${url} exceeds ${MAX_DOWNLOAD_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  const data = Buffer.concat(chunks);
  if (checksum !== undefined) verifyChecksum(data, checksum);
  const modified = response.headers.get('last-modified');
  const mtime = modified !== null && !Number.isNaN(Date.parse(modified)) ? new Date(modified) : undefined;
  return { data, name: urlFileName(url), ...(mtime ? { mtime } : {}) };
}

function verifyChecksum(data: Buffer, checksum: string): void {
  const match = /^sha256:([0-9a-f]{64})$/.exec(checksum);
  if (!match) throw new TsbuildError('E_STEP', `invalid checksum digest format: ${checksum}`);
  const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  if (actual !== checksum) throw new TsbuildError('E_STEP', `digest mismatch ${actual}: ${checksum}`);
}
