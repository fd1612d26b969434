// A build-context folder on disk, read without ever leaving it. Symlinks are reported as
// symlinks (lstat, readlink) and never followed. File contents are opened with O_NOFOLLOW, and
// the opened descriptor is then checked: it must be a regular file, the very inode the walk saw,
// and (through /proc/self/fd) a file inside the root. A path swapped for a symlink between the
// walk and the read therefore fails instead of reading a file outside the context. Folders are
// listed the same way (opened with O_NOFOLLOW, checked to be inside, listed through the
// descriptor), so a swap never lists a host folder's names either; and every error names the
// path relative to the context, never a host path.
//
// Walking and reading small files use synchronous calls on purpose: each asynchronous fs call
// is a thread-pool round trip (~100 µs on a loaded 2-CPU machine) that dwarfs an lstat or a
// 4 KB read (~5-30 µs synchronously), which made hashing a 20,000-file context 3-4x slower.
// We yield to the event loop once per folder and every few files, so the process stays
// responsive; large files are streamed asynchronously.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type BigIntStats } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { TsbuildError } from '../lib/errors.js';
import type { ContextEntry, EntryType, WalkSource } from './context-walk.js';

// O_NONBLOCK: opening a FIFO swapped in for a file must not hang (libuv adds O_CLOEXEC itself).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** Files up to this size can be read whole with ContextFolder.readSmallFile. */
export const SMALL_FILE_BYTES = 256 * 1024;

/** A small file's bytes, and its descriptor's stats before and after reading them. */
export interface SmallFileRead {
  readonly content: Buffer;
  readonly before: BigIntStats;
  readonly after: BigIntStats;
}

/** Lets timers and I/O callbacks run between stretches of synchronous work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** An open context file and the stats of its descriptor at opening. */
export interface OpenContextFile {
  readonly handle: FileHandle;
  readonly stats: BigIntStats;
}

export class ContextFolder implements WalkSource {
  /** Paths whose names are not valid UTF-8: they cannot be named in a JavaScript string. */
  private readonly undecodable = new Set<string>();

  private constructor(readonly root: string) {}

  /** `dir` must be an existing directory; the root is kept as its real path. */
  static async open(dir: string): Promise<ContextFolder> {
    let root: string;
    try {
      root = await realpath(dir);
    } catch (error) {
      throw new TsbuildError('E_NOT_FOUND', `build context ${dir} does not exist`, { cause: error });
    }
    const stats = await lstat(root);
    if (!stats.isDirectory()) throw new TsbuildError('E_CONTEXT', `build context ${dir} is not a directory`);
    return new ContextFolder(root);
  }

  /** The absolute path of a context path (which must already be clean and relative). */
  absolute(path: string): string {
    return path === '' ? this.root : join(this.root, path);
  }

  async readdir(dir: string): Promise<string[]> {
    await yieldToEventLoop();
    return this.listVerified(dir).map((raw) => {
      const name = raw.toString('utf8');
      if (!Buffer.from(name, 'utf8').equals(raw)) this.undecodable.add(dir === '' ? name : `${dir}/${name}`);
      return name;
    });
  }

  /** The raw names in `dir`, read through a descriptor the kernel places inside the root. */
  private listVerified(dir: string): Buffer[] {
    let fd: number;
    try {
      fd = openSync(this.absolute(dir), DIR_FLAGS);
    } catch (error) {
      // A symlink where the walk saw a folder (O_NOFOLLOW): swapped.
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw replaced(dir);
      throw contextError(dir, error);
    }
    try {
      const real = procPathSync(fd);
      if (real === undefined) return readdirSync(this.absolute(dir), { encoding: 'buffer' }); // no /proc: the path is all we have
      if (!isInside(real, this.root)) throw replaced(dir);
      return readdirSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' });
    } catch (error) {
      throw contextError(dir, error);
    } finally {
      closeSync(fd);
    }
  }

  async lstat(path: string): Promise<ContextEntry> {
    // Only reached for paths the patterns keep: a name we cannot represent must not silently
    // drop out of the context (its lossy decoding would just fail with ENOENT).
    if (this.undecodable.has(path)) throw new TsbuildError('E_CONTEXT', `${path}: file name is not valid UTF-8`);
    const absolute = this.absolute(path);
    try {
      const stats = lstatSync(absolute, { bigint: true });
      const linkTarget = stats.isSymbolicLink() ? readlinkSync(absolute) : undefined;
      return entryFromStats(path, stats, linkTarget);
    } catch (error) {
      throw contextError(path, error);
    }
  }

  /**
   * Opens a regular file the walk listed; fails if it is no longer that same file (inode and
   * device). The stats are those of the open descriptor, so callers need not fstat again.
   */
  async openFile(entry: ContextEntry): Promise<OpenContextFile> {
    const opened = await openRegularFileInside(this.absolute(entry.path), this.root).catch((error: unknown) => {
      throw contextError(entry.path, error);
    });
    try {
      checkSameFile(entry, opened.stats);
    } catch (error) {
      await opened.handle.close();
      throw error;
    }
    return opened;
  }

  /**
   * Reads a small regular file whole, with the checks of openFile, synchronously (see the top
   * of this file). Reads one byte past the size seen at opening, so growth shows.
   */
  readSmallFile(entry: ContextEntry): SmallFileRead {
    const absolute = this.absolute(entry.path);
    let fd: number;
    try {
      fd = openSync(absolute, OPEN_FLAGS);
    } catch (error) {
      throw contextError(entry.path, error);
    }
    try {
      const before = fstatSync(fd, { bigint: true });
      checkDescriptor(absolute, this.root, before, procPathSync(fd));
      checkSameFile(entry, before);
      const content = Buffer.allocUnsafe(Math.min(Number(before.size), SMALL_FILE_BYTES) + 1);
      let length = 0;
      for (let read = -1; read !== 0 && length < content.length; length += read) {
        read = readSync(fd, content, length, content.length - length, null);
      }
      return { content: content.subarray(0, length), before, after: fstatSync(fd, { bigint: true }) };
    } finally {
      closeSync(fd);
    }
  }
}

function checkSameFile(entry: ContextEntry, stats: BigIntStats): void {
  if (stats.ino !== entry.identity.ino || stats.dev !== entry.identity.dev) throw replaced(entry.path);
}

function replaced(path: string): TsbuildError {
  return new TsbuildError('E_CONTEXT', `${path || '.'} was replaced while the build was reading the context`);
}

/**
 * A failure reading `path` (relative to the context), with the errno code callers switch on but
 * without the host path Node puts in its messages: during a symlink swap that path could be
 * anywhere on the host. A symlink gone when its target is read (EINVAL from readlink) is a swap.
 */
function contextError(path: string, error: unknown): unknown {
  if (error instanceof TsbuildError || typeof error !== 'object' || error === null) return error;
  const { code, syscall, message } = error as NodeJS.ErrnoException;
  if (code === undefined) return error;
  if (code === 'EINVAL' && syscall === 'readlink') return replaced(path);
  const reason = (message ?? '').replace(/, \w+ '.*'$/s, '');
  const name = path || '.';
  return Object.assign(new Error(`${reason}, ${syscall ?? 'open'} '${name}'`), { code, syscall, path: name });
}

/** The descriptor must be a regular file that the kernel places inside `root`. */
function checkDescriptor(absolute: string, root: string, stats: BigIntStats, openedPath: string | undefined): void {
  const name = relative(root, absolute) || '.';
  if (!stats.isFile()) throw new TsbuildError('E_CONTEXT', `${name} is not a regular file`);
  if (openedPath !== undefined && !isInside(openedPath, root)) {
    throw new TsbuildError('E_CONTEXT', `${name} resolved outside the build context`);
  }
}

/** The outcome of opening a file that must stay inside given folders. */
export type OpenedInside = { readonly handle: FileHandle } | { readonly problem: 'missing' | 'outside' | 'not a regular file' };

/**
 * Opens `file` for reading only if it is a regular file that really lives under one of
 * `allowedRoots` after resolving symlinks. Used for the Dockerfile and ignore files, which may
 * be symlinks but must not lead out of their folders (podman#16315 read one from the host).
 */
export async function openFileInside(file: string, allowedRoots: readonly string[]): Promise<OpenedInside> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (error) {
    if (isMissing(error)) return { problem: 'missing' };
    throw error;
  }
  const root = allowedRoots.find((candidate) => isInside(real, candidate));
  if (root === undefined) return { problem: 'outside' };
  try {
    return { handle: (await openRegularFileInside(real, root)).handle };
  } catch (error) {
    if (isMissing(error)) return { problem: 'missing' };
    if (error instanceof TsbuildError) return { problem: 'not a regular file' };
    throw error;
  }
}

/** Reads a whole file through a handle, refusing files larger than `maxBytes`. */
export async function readAllLimited(handle: FileHandle, maxBytes: number, name: string): Promise<Buffer> {
  const { size } = await handle.stat();
  if (size > maxBytes) throw new TsbuildError('E_CONTEXT', `${name} is larger than ${maxBytes} bytes`);
  const content = await handle.readFile();
  if (content.length > maxBytes) throw new TsbuildError('E_CONTEXT', `${name} is larger than ${maxBytes} bytes`);
  return content;
}

export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function openRegularFileInside(absolute: string, root: string): Promise<OpenContextFile> {
  const handle = await open(absolute, OPEN_FLAGS);
  try {
    const stats = await handle.stat({ bigint: true });
    checkDescriptor(absolute, root, stats, await procPath(handle.fd));
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Where the kernel says an open descriptor points; undefined when /proc is not mounted. */
async function procPath(fd: number): Promise<string | undefined> {
  return readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
}

function procPathSync(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

function entryFromStats(path: string, stats: BigIntStats, linkTarget: string | undefined): ContextEntry {
  const type = entryType(stats);
  return {
    path,
    type,
    mode: Number(stats.mode & 0o7777n),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    size: type === 'file' ? Number(stats.size) : 0,
    ...(linkTarget === undefined ? {} : { linkTarget }),
    ...(type === 'chardev' || type === 'blockdev' ? { rdev: Number(stats.rdev) } : {}),
    identity: { dev: stats.dev, ino: stats.ino, nlink: Number(stats.nlink), mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs },
  };
}

function entryType(stats: BigIntStats): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  return stats.isCharacterDevice() ? 'chardev' : 'blockdev';
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
