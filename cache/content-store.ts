// Blobs by sha256 digest, under `content-v1/sha256/<hex>`. Lockless, in the way of npm cacache:
// a blob is hashed while it streams into a temp file, checked against the expected digest and
// size, then published with a durable rename; an existing blob is success (its bytes are the
// same by definition, and the rename replaces a copy that may have rotted). Blobs are made
// read-only. Every read re-checks the digest: a blob that fails is removed and reported as
// E_INTEGRITY, which callers treat as a miss, never as a result.
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { TsbuildError } from '../lib/errors.js';
import { TempFile, tempFileName } from './atomic-file.js';
import type { RootLayout } from './root.js';
import { assertDigest } from './digest.js';
import { asStoreError, integrityError } from './store-errors.js';
import { checkExpectedSize, hashInto, VerifyingTransform } from './blob-streams.js';
import { VerifiedStamps } from './verify-stamps.js';

export { assertDigest, DIGEST_PATTERN, isDigest } from './digest.js';

export interface BlobInfo {
  readonly digest: string;
  readonly size: number;
}

export interface StoredBlob extends BlobInfo {
  readonly mtimeMs: number;
}

/** Something that keeps blobs from garbage collection (a build's lease, see lease.ts). */
export interface BlobLease {
  protect(digests: readonly string[]): Promise<void>;
}

export interface IngestOptions {
  readonly expectedDigest?: string;
  readonly expectedSize?: number;
  readonly signal?: AbortSignal;
  /** Protects the digest before it becomes visible, so a concurrent prune cannot take it. */
  readonly lease?: BlobLease;
}

export interface ReadOptions {
  /** The size the caller's descriptor or record promises; a different size is E_INTEGRITY. */
  readonly expectedSize?: number;
}

const OPEN_BLOB = constants.O_RDONLY | constants.O_NOFOLLOW;

export class ContentStore {
  readonly folder: string;
  /** Absent without a statcache folder in the layout: then every check hashes. */
  private readonly stamps: VerifiedStamps | undefined;

  constructor(private readonly layout: Pick<RootLayout, 'content' | 'tmp'> & Partial<Pick<RootLayout, 'statcache'>>) {
    this.folder = join(layout.content, 'sha256');
    this.stamps = layout.statcache === undefined ? undefined : new VerifiedStamps(join(layout.statcache, 'blobs'));
  }

  /** Creates the blob folder; the rest of the root must exist (`createRootFolders`). */
  static async open(layout: Pick<RootLayout, 'content' | 'tmp'> & Partial<Pick<RootLayout, 'statcache'>>): Promise<ContentStore> {
    const store = new ContentStore(layout);
    await mkdir(store.folder, { recursive: true, mode: 0o700 });
    return store;
  }

  /** The blob's path; the digest is validated first, so no path is ever built from junk. */
  blobPath(digest: string): string {
    assertDigest(digest);
    return join(this.folder, digest.slice('sha256:'.length));
  }

  /** Stores bytes (a Buffer or a stream of Buffers) and returns their digest and size. */
  async ingest(source: Uint8Array | AsyncIterable<Uint8Array>, options: IngestOptions = {}): Promise<BlobInfo & { created: boolean }> {
    validateIngestOptions(options);
    const temp = await TempFile.create(this.layout.tmp, 0o444).catch((error: unknown) => {
      throw asStoreError(error, this.layout.tmp);
    });
    try {
      const { digest, size } = await hashInto(temp, source, options);
      await options.lease?.protect([digest]);
      const path = this.blobPath(digest);
      const existed = await exists(path);
      await temp.publish(path, { failpoints: 'content' });
      if (!existed && this.stamps) await this.stamps.record(digest.slice('sha256:'.length), await this.stamps.current(path));
      return { digest, size, created: !existed };
    } catch (error) {
      await temp.discard();
      throw asStoreError(error, this.layout.tmp);
    }
  }

  async has(digest: string): Promise<boolean> {
    return exists(this.blobPath(digest));
  }

  async stat(digest: string): Promise<StoredBlob | undefined> {
    const stats = await lstat(this.blobPath(digest)).catch(ignoreMissing);
    return stats === undefined ? undefined : { digest, size: stats.size, mtimeMs: stats.mtimeMs };
  }

  /** The whole blob, verified. E_NOT_FOUND when absent, E_INTEGRITY (blob removed) when bad. */
  async readVerified(digest: string, options: ReadOptions = {}): Promise<Buffer> {
    // The handle stays open until a bad copy is removed: an open inode cannot be freed, so its
    // number cannot be reused by a new file that removeBadCopy would then mistake for it.
    const { handle, stats } = await this.openBlob(digest);
    try {
      const data = await handle.readFile();
      const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      if (actual !== digest) {
        await this.removeBadCopy(digest, stats);
        throw integrityError(digest, `digest mismatch (read ${actual})`, true);
      }
      checkExpectedSize(digest, data.length, options);
      return data;
    } finally {
      await handle.close();
    }
  }

  /**
   * A stream of the blob that fails with E_INTEGRITY *before* it ends when the bytes do not
   * match (the blob is then removed). Bytes flow before the check, so a consumer must not
   * keep anything until the stream has ended without error; `withVerifiedStream` enforces that.
   */
  async createVerifiedReadStream(digest: string, options: ReadOptions = {}): Promise<Readable> {
    const { handle, stats } = await this.openBlob(digest);
    const verifier = new VerifyingTransform(digest, options, () => this.removeBadCopy(digest, stats));
    // Closed only when the pipeline is done, after a bad copy was removed (see readVerified).
    pipeline(handle.createReadStream({ autoClose: false }), verifier, () => void handle.close().catch(() => undefined));
    return verifier;
  }

  /**
   * Lets `consume` read the blob as a stream and returns its result only once every byte of
   * the blob has been verified. If `consume` stops early, the rest is re-hashed before return.
   */
  async withVerifiedStream<T>(digest: string, consume: (stream: Readable) => Promise<T>, options: ReadOptions = {}): Promise<T> {
    const stream = (await this.createVerifiedReadStream(digest, options)) as VerifyingTransform;
    let result: T;
    try {
      result = await consume(stream);
    } catch (error) {
      stream.destroy();
      throw stream.failure ?? error;
    }
    if (stream.failure !== undefined) throw stream.failure;
    if (!stream.verified) {
      stream.destroy();
      const state = await this.verifyBlob(digest);
      if (state !== 'ok') throw integrityError(digest, state === 'missing' ? 'removed while it was read' : 'digest mismatch', state === 'corrupt');
      checkExpectedSize(digest, (await this.stat(digest))?.size ?? -1, options);
    }
    return result;
  }

  /** Re-hashes a blob: 'corrupt' blobs are removed. */
  async verifyBlob(digest: string): Promise<'ok' | 'missing' | 'corrupt'> {
    let opened: { handle: FileHandle; stats: Stats };
    try {
      opened = await this.openBlob(digest);
    } catch (error) {
      if (error instanceof TsbuildError && error.code === 'E_NOT_FOUND') return 'missing';
      throw error;
    }
    const hash = createHash('sha256');
    try {
      for await (const chunk of opened.handle.createReadStream({ autoClose: false, start: 0 })) hash.update(chunk as Buffer);
      if (`sha256:${hash.digest('hex')}` === digest) return 'ok';
      await this.removeBadCopy(digest, opened.stats);
      return 'corrupt';
    } finally {
      await opened.handle.close();
    }
  }

  /**
   * verifyBlob, except that a blob unchanged on disk since it last hashed right here (same inode,
   * size, mtime and ctime; verify-stamps.ts) is not read again. For cache hits: a damaged blob
   * changed its ctime and is re-hashed, so it is still a miss, never a result.
   */
  async verifyBlobUnlessUnchanged(digest: string): Promise<'ok' | 'missing' | 'corrupt'> {
    const stamps = this.stamps;
    if (stamps === undefined) return this.verifyBlob(digest);
    const hex = digest.slice('sha256:'.length);
    const stamp = await stamps.current(this.blobPath(digest));
    if (stamp === undefined) return 'missing';
    if (await stamps.matches(hex, stamp)) return 'ok';
    const state = await this.verifyBlob(digest);
    if (state === 'ok') await stamps.record(hex, stamp);
    return state;
  }

  /** Removes a blob; false when it was not there. */
  async delete(digest: string): Promise<boolean> {
    const path = this.blobPath(digest); // validates the digest before any path is built from it
    await this.stamps?.forget(digest.slice('sha256:'.length));
    try {
      await unlink(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Every stored blob (names that are not digests are skipped). */
  async *list(): AsyncGenerator<StoredBlob> {
    const names = await readdir(this.folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    for (const name of names.sort()) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      const stats = await lstat(join(this.folder, name)).catch(ignoreMissing);
      if (stats?.isFile()) yield { digest: `sha256:${name}`, size: stats.size, mtimeMs: stats.mtimeMs };
    }
  }

  private async openBlob(digest: string): Promise<{ handle: FileHandle; stats: Stats }> {
    const path = this.blobPath(digest);
    let handle: FileHandle;
    try {
      handle = await open(path, OPEN_BLOB);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new TsbuildError('E_NOT_FOUND', `blob ${digest} is not in the store`, { cause: error });
      if (code === 'ELOOP') throw integrityError(digest, 'the stored blob is a symlink', false);
      throw asStoreError(error, path);
    }
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw integrityError(digest, 'the stored blob is not a regular file', false);
    }
    return { handle, stats };
  }

  /**
   * Removes the bad file we read, and only that one: a concurrent ingest may have renamed a
   * good copy over it meanwhile. The file is moved aside first and compared by inode; a good
   * copy caught by mistake is put back (unless a third copy already arrived).
   */
  private async removeBadCopy(digest: string, bad: Stats): Promise<void> {
    const path = this.blobPath(digest);
    const aside = join(this.layout.tmp, tempFileName());
    try {
      await rename(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw asStoreError(error, path);
    }
    const moved = await lstat(aside);
    if (moved.ino !== bad.ino || moved.dev !== bad.dev) await link(aside, path).catch(ignoreExisting);
    await unlink(aside);
  }
}

function validateIngestOptions(options: IngestOptions): void {
  if (options.expectedDigest !== undefined) assertDigest(options.expectedDigest, 'expected digest');
  const size = options.expectedSize;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) throw new TypeError(`ingest: invalid expected size ${size}`);
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(ignoreMissing)) !== undefined;
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}

function ignoreExisting(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}
