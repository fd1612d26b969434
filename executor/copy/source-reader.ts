// Reads a copy source tree that someone else may be changing (the build context: SECURITY A6).
// Folders are listed, and files read, only through a descriptor opened without following a final
// symlink and that the kernel (/proc/self/fd) places inside the tree; so a folder swapped for a
// symlink to a host folder mid-copy is never listed and none of its files is read. A swap is
// reported with the path relative to the tree, never a host path or a host file's name.
import fs from 'node:fs';
import { posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';

const DIR_FLAGS = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW;
// O_NONBLOCK: a FIFO swapped in for a file must not hang the open.
const FILE_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

export function sourceReplaced(path: string): TsbuildError {
  return new TsbuildError('E_STEP', `${path || '.'} was replaced while it was being copied`);
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/** Opens `path` (relative to `tree`) with `flags` and checks where the kernel says it is. */
function openInside(tree: string, path: string, flags: number): number {
  let fd: number;
  try {
    fd = fs.openSync(posix.join(tree, path), flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw sourceReplaced(path);
    throw error;
  }
  let real: string | undefined;
  try {
    real = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    real = undefined; // no /proc: the O_NOFOLLOW open is all we have
  }
  if (real !== undefined && !isInside(real, tree)) {
    fs.closeSync(fd);
    throw sourceReplaced(path);
  }
  return fd;
}

/** The names in folder `path` of `tree`, sorted. */
export function listSourceDir(tree: string, path: string): string[] {
  const fd = openInside(tree, path, DIR_FLAGS);
  try {
    return fs.readdirSync(`/proc/self/fd/${fd}`).sort();
  } catch {
    return fs.readdirSync(posix.join(tree, path)).sort();
  } finally {
    fs.closeSync(fd);
  }
}

/** A stream of regular file `path` of `tree`; it must still be the file `expected` describes. */
export function openSourceFile(tree: string, path: string, expected: fs.Stats, readWholeUpTo = 0): fs.ReadStream | Buffer[] {
  const fd = openInside(tree, path, FILE_FLAGS);
  const info = fs.fstatSync(fd);
  if (!info.isFile() || info.ino !== expected.ino || info.dev !== expected.dev) {
    fs.closeSync(fd);
    throw sourceReplaced(path);
  }
  // Small files in one synchronous read: a stream per file costs more than the copy itself.
  if (info.size <= readWholeUpTo) {
    try {
      return [fs.readFileSync(fd)];
    } finally {
      fs.closeSync(fd);
    }
  }
  return fs.createReadStream('', { fd });
}

/** lstat of `path` of `tree`, looked up in its folder only while that folder is inside `tree`. */
export function lstatSource(tree: string, path: string): fs.Stats {
  if (path === '' || path === '/') return fs.lstatSync(tree);
  const parent = openInside(tree, posix.dirname(path), DIR_FLAGS);
  try {
    return fs.lstatSync(posix.join(`/proc/self/fd/${parent}`, posix.basename(path)));
  } finally {
    fs.closeSync(parent);
  }
}

/** The target of symlink `path`, read only while its folder is still inside `tree`. */
export function readSourceLink(tree: string, path: string): string {
  const parent = openInside(tree, posix.dirname(path), DIR_FLAGS);
  try {
    return fs.readlinkSync(posix.join(`/proc/self/fd/${parent}`, posix.basename(path)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EINVAL') throw sourceReplaced(path);
    throw error;
  } finally {
    fs.closeSync(parent);
  }
}
