// Resolves and writes paths inside a root folder so that nothing is ever read or written outside
// it (SECURITY lesson 1, §7 option c). Resolution walks one component at a time with lstat and
// readlink, the way the kernel would inside a chroot: an absolute symlink target restarts at the
// root, `..` stops at the root, and more than 40 symlinks is a loop. The final component is not
// followed unless asked, so writing over a symlink replaces the link (kaniko#359) and removing a
// symlink unlinks it, never its target (SECURITY C5).
//
// ASSUMPTION: no process runs in or changes the tree while it is being written. That holds for a
// snapshot being unpacked and for a step's rootfs between runs. It does not hold for trees a
// running container can change (shared cache mounts, `cp` into a live container): a path checked
// here could be swapped for a symlink before it is used (CVE-2018-15664). Those need the work done
// inside the container's own mount namespace instead.
//
// Metadata calls are synchronous on purpose: each takes microseconds, while a round trip through
// libuv's thread pool costs tens, and unpacking makes ten to twenty of them per entry (>10x faster
// on tmpfs). The event loop is only ever held for one system call; file data streams as before.
import * as fs from 'node:fs';
import { constants, type Stats } from 'node:fs';
import { realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import { runHostCommand } from './host-command.js';
import { recordLinkOwner, recordOwner, recordsOwners } from './owner-table.js';

/** Linux's MAXSYMLINKS: more hops than this is treated as a loop (ELOOP). */
export const MAX_SYMLINK_HOPS = 40;

/** Owner, permission bits (07777, so setuid/setgid/sticky included) and times of an entry. */
export interface EntryAttrs {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** When absent the time is left as the kernel set it (directories get theirs at the very end). */
  readonly mtime?: Date;
}

/** Attributes for a directory the writer has to create as a parent of something else. */
export type ImpliedDirAttrs = (components: readonly string[]) => Promise<EntryAttrs>;

export type DeviceKind = 'char' | 'block' | 'fifo';

/** A path could not be resolved or written inside the root. */
export class InRootError extends TsbuildError {
  constructor(path: string, why: string, options?: { cause?: unknown }) {
    super('E_STEP', `cannot resolve ${JSON.stringify(path)} inside the root: ${why}`, options);
  }
}

/** A resolved path: components that exist (all real directories but possibly the last), then missing ones. */
export interface ResolvedPath {
  readonly existing: readonly string[];
  readonly missing: readonly string[];
}

/** A place for a new entry: its parent exists and is a real directory inside the root. */
export interface EntryLocation {
  readonly components: readonly string[];
  readonly host: string;
  /** Parent directories created on the way, outermost first. */
  readonly createdDirs: readonly (readonly string[])[];
}

/** Splits a path into components, dropping empty and `.` ones but keeping `..`. */
export function pathComponents(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

export function lstatOrNull(path: string): Stats | null {
  try {
    return fs.lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

export class InRoot {
  private constructor(
    readonly root: string,
    /** Whether folders created on the way get their owner set (needs root in our namespace). */
    private readonly owners: boolean,
  ) {}

  /** The root itself may be reached through a symlink; it is resolved once, here. */
  static async open(root: string, options: { owners?: boolean } = {}): Promise<InRoot> {
    return new InRoot(await realpath(root), options.owners ?? !recordsOwners());
  }

  hostPath(components: readonly string[]): string {
    return join(this.root, ...components);
  }

  /** Resolves `path` (relative or absolute, both meaning "from the root"); see the module comment. */
  async resolve(path: string | readonly string[], followFinal: boolean): Promise<ResolvedPath> {
    const shown = typeof path === 'string' ? path : path.join('/');
    const pending = (typeof path === 'string' ? pathComponents(path) : [...path]).reverse();
    const existing: string[] = [];
    const missing: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        // Clamped at the root; below a missing folder `..` is lexical (nothing there to follow).
        (missing.length > 0 ? missing : existing).pop();
        continue;
      }
      if (missing.length > 0) {
        missing.push(name);
        continue;
      }
      const info = lstatOrNull(this.hostPath([...existing, name]));
      if (info === null) {
        missing.push(name);
        continue;
      }
      const isLast = pending.length === 0;
      if (info.isSymbolicLink() && (followFinal || !isLast)) {
        if (++hops > MAX_SYMLINK_HOPS) throw new InRootError(shown, 'too many levels of symbolic links');
        const target = readLinkInRoot(this.hostPath([...existing, name]), shown);
        if (target.startsWith('/')) existing.length = 0; // absolute targets are re-rooted
        pending.push(...pathComponents(target).reverse());
        continue;
      }
      if (!isLast && !info.isDirectory()) throw new InRootError(shown, `/${[...existing, name].join('/')} is not a directory`);
      existing.push(name);
    }
    return { existing, missing };
  }

  /** Resolves a folder, creating what is missing with the attributes `implied` gives. */
  async ensureDir(path: string | readonly string[], implied: ImpliedDirAttrs): Promise<EntryLocation> {
    const { existing, missing } = await this.resolve(path, true);
    const shown = typeof path === 'string' ? path : path.join('/');
    if (existing.length > 0 && missing.length === 0) {
      const info = fs.lstatSync(this.hostPath(existing));
      if (!info.isDirectory()) throw new InRootError(shown, `/${existing.join('/')} is not a directory`);
    }
    const components = [...existing];
    const createdDirs: string[][] = [];
    for (const name of missing) {
      components.push(name);
      const host = this.hostPath(components);
      fs.mkdirSync(host, 0o700);
      await setEntryAttrs(host, await implied(components), this.owners);
      createdDirs.push([...components]);
    }
    return { components, host: this.hostPath(components), createdDirs };
  }

  /** Where entry `name` goes: its parent is resolved (following symlinks) and created; the last component is not followed. */
  async entryLocation(name: string, implied: ImpliedDirAttrs): Promise<EntryLocation> {
    const parts = pathComponents(name);
    const base = parts.pop();
    if (base === undefined || base === '..') throw new InRootError(name, 'the name has no final component');
    const parent = await this.ensureDir(parts, implied);
    const components = [...parent.components, base];
    return { components, host: this.hostPath(components), createdDirs: parent.createdDirs };
  }
}

/** Removes an entry without following it: a symlink is unlinked, a folder removed with its contents. */
export async function removeEntry(host: string): Promise<void> {
  const info = lstatOrNull(host);
  if (info === null) return;
  // fs.rm walks with lstat and unlinks symlinks inside the folder; it never follows them.
  if (info.isDirectory()) await rm(host, { recursive: true, force: true });
  else fs.unlinkSync(host);
}

/** Creates a new regular file (O_EXCL|O_NOFOLLOW: never writes through an existing link) from `content`. */
export async function writeNewFile(host: string, content: AsyncIterable<Buffer> | Iterable<Buffer>, attrs: EntryAttrs, owners: boolean): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const fd = fs.openSync(host, flags, 0o600);
  try {
    for await (const chunk of content) writeAll(fd, chunk);
    applyAttrsToDescriptor(fd, attrs, owners);
    if (!owners) recordOwner(host, attrs);
  } finally {
    fs.closeSync(fd);
  }
}

export async function makeDir(host: string, attrs: EntryAttrs, owners: boolean): Promise<void> {
  fs.mkdirSync(host, 0o700);
  await setEntryAttrs(host, attrs, owners);
}

/** The target is data and stored verbatim (SECURITY lesson 2); it is only contained when followed. */
export async function makeSymlink(host: string, target: string, attrs: EntryAttrs, owners: boolean): Promise<void> {
  fs.symlinkSync(target, host);
  await setEntryAttrs(host, attrs, owners);
}

/**
 * `targetHost` must come from resolving the link name inside the same root. link(2) does not
 * follow a symlink target, so linking to a symlink links the symlink, never a host inode.
 */
export async function makeHardlink(host: string, targetHost: string): Promise<void> {
  fs.linkSync(targetHost, host);
  recordLinkOwner(host, targetHost);
}

/** Major and minor numbers of a Linux dev_t (glibc's gnu_dev_major/gnu_dev_minor). */
export function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  return {
    major: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    minor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}

/** Device nodes and FIFOs: Node has no mknod, so the host's mknod tool makes them. */
export async function makeDeviceNode(host: string, kind: DeviceKind, major = 0, minor = 0): Promise<void> {
  const args = kind === 'fifo' ? [host, 'p'] : [host, kind === 'char' ? 'c' : 'b', String(major), String(minor)];
  await runHostCommand('mknod', ['-m', '0600', ...args]);
}

/**
 * Owner, mode and time without ever following a symlink: symlinks get lchown/lutimes only (Linux
 * has no lchmod), everything else is changed through an O_NOFOLLOW descriptor so a path swapped
 * for a symlink fails with ELOOP instead of changing the target (CVE-2021-32760).
 */
export async function setEntryAttrs(host: string, attrs: EntryAttrs, owners: boolean): Promise<void> {
  const info = fs.lstatSync(host);
  // Without root the owner cannot be set: it is remembered for the layer (owner-table.ts).
  if (!owners) recordOwner(host, attrs);
  if (info.isSymbolicLink() || info.isCharacterDevice() || info.isBlockDevice()) {
    // Opening a device would talk to the device; symlinks cannot be opened without following.
    if (owners) fs.lchownSync(host, attrs.uid, attrs.gid);
    // chmod(2) follows symlinks, but this was lstat()ed as a device node and nothing races us.
    if (!info.isSymbolicLink()) fs.chmodSync(host, attrs.mode);
    if (attrs.mtime) fs.lutimesSync(host, attrs.mtime, attrs.mtime);
    return;
  }
  const fd = fs.openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    applyAttrsToDescriptor(fd, attrs, owners);
  } finally {
    fs.closeSync(fd);
  }
}

function applyAttrsToDescriptor(fd: number, attrs: EntryAttrs, owners: boolean): void {
  if (owners) fs.fchownSync(fd, attrs.uid, attrs.gid);
  fs.fchmodSync(fd, attrs.mode); // after chown, which clears setuid/setgid
  if (attrs.mtime) fs.futimesSync(fd, attrs.mtime, attrs.mtime);
}

function writeAll(fd: number, chunk: Buffer): void {
  for (let offset = 0; offset < chunk.length; ) offset += fs.writeSync(fd, chunk, offset);
}

/**
 * A link's target; a link swapped for another kind of entry between the lstat and here (EINVAL,
 * ENOENT) is an error naming the in-root path only: Node's message would carry the host path.
 */
function readLinkInRoot(host: string, shown: string): string {
  try {
    return fs.readlinkSync(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'ENOENT') throw new InRootError(shown, 'was replaced while it was being resolved');
    throw error;
  }
}
