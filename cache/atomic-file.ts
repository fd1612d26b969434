// Durable publish of a file: write a temp file under the root's tmp/ (same filesystem, so the
// rename never crosses devices), fsync it, rename it over the destination, fsync the
// destination folder. A reader sees the old file or the whole new one, never a torn one, and
// after a crash or power loss the new file is either absent or complete (containerd learned
// the folder fsync the hard way). Temp file names carry the writer's process stamp so the next
// run can remove the leftovers of writers that died (see temp-files.ts).
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { failpoint } from './failpoints.js';
import { currentStamp, formatStamp, parseStamp, type ProcessStamp } from './process-stamp.js';

export interface AtomicWriteOptions {
  /** The root's tmp/ folder (`rootLayout(root).tmp`): must be on the destination's filesystem. */
  readonly tmpDir: string;
  /** Permission bits of the published file, set exactly (umask does not apply). Default 0o644. */
  readonly mode?: number;
  /**
   * Default true: fsync the file before the rename and the folder after it. Pass false only for
   * files that mean nothing after a crash (e.g. a lease of a process that is gone by then).
   */
  readonly durable?: boolean;
  /** Which failpoints the rename hits (crash tests); default 'atomic'. */
  readonly failpoints?: PublishOptions['failpoints'];
}

/** Writes `data` to `path` atomically and durably. Missing parent folders are created. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const temp = await TempFile.create(options.tmpDir, options.mode);
  try {
    await temp.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await temp.publish(path, { durable: options.durable, failpoints: options.failpoints });
  } catch (error) {
    await temp.discard();
    throw error;
  }
}

export interface PublishOptions {
  readonly durable?: boolean | undefined;
  /** Names the failpoints hit around the rename: `<prefix>.beforeRename`, `<prefix>.afterRename`. */
  readonly failpoints?: 'atomic' | 'content' | 'index' | undefined;
}

/** A temp file being written, for callers that stream (hashing as they go). */
export class TempFile {
  private handle: FileHandle | undefined;
  private done = false;

  private constructor(readonly path: string, handle: FileHandle) {
    this.handle = handle;
  }

  /** Creates a new, empty temp file in `tmpDir` with exactly `mode` (default 0o644). */
  static async create(tmpDir: string, mode = 0o644): Promise<TempFile> {
    const path = join(tmpDir, tempFileName());
    const handle = await open(path, 'wx', mode);
    try {
      await handle.chmod(mode);
    } catch (error) {
      await handle.close();
      await unlink(path).catch(() => undefined);
      throw error;
    }
    return new TempFile(path, handle);
  }

  async write(chunk: Uint8Array): Promise<void> {
    const handle = this.openHandle();
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
  }

  /** fsync, close, rename to `dest` (replacing it), fsync `dest`'s folder. */
  async publish(dest: string, options: PublishOptions = {}): Promise<void> {
    const handle = this.openHandle();
    const durable = options.durable ?? true;
    const prefix = options.failpoints ?? 'atomic';
    if (durable) await handle.sync();
    await handle.close();
    this.handle = undefined;
    failpoint(`${prefix}.beforeRename`);
    const createdFolder = await renameCreatingParent(this.path, dest);
    this.done = true;
    failpoint(`${prefix}.afterRename`);
    if (durable) {
      await fsyncDir(dirname(dest));
      if (createdFolder) await fsyncDir(dirname(dirname(dest)));
    }
  }

  /** Closes and removes the temp file; safe to call at any time, any number of times. */
  async discard(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    if (!this.done) {
      this.done = true;
      await unlink(this.path).catch(() => undefined);
    }
  }

  private openHandle(): FileHandle {
    if (this.handle === undefined) throw new Error(`temp file ${this.path} is already closed`);
    return this.handle;
  }
}

/** Returns true when the parent folder had to be created. */
async function renameCreatingParent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    await rename(from, to);
    return true;
  }
}

/** Makes a folder's entries (a rename into it) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `<process stamp>.<random>.tmp`: unique, and names the writer for crash cleanup. */
export function tempFileName(): string {
  return `${formatStamp(currentStamp())}.${randomBytes(6).toString('hex')}.tmp`;
}

/** The writer of a temp file named by `tempFileName`, or undefined for any other name. */
export function tempFileOwner(path: string): ProcessStamp | undefined {
  const match = /^(.*)\.[0-9a-f]{12}\.tmp$/.exec(basename(path));
  return match === null ? undefined : parseStamp(match[1]!);
}
