// Resolves a path inside the rootfs the way the kernel would inside a chroot: absolute symlinks
// restart at the rootfs, `..` stops at its root (SECURITY lesson 1; the semantics of
// filepath-securejoin). Mount targets are resolved *through* earlier mounts, so `/src/node_modules`
// under a bind of `/src` is looked up in the bind's source. The result has no symlinks left, so the
// setup script can mount on it without the kernel following anything.
//
// This is only sound when nothing changes the tree concurrently (SECURITY §7 option c): true for a
// step's rootfs snapshot before the step runs. Paths inside shared, writable mounts are re-verified
// inside the namespace before anything is mounted on them (see setup-script.ts).
import { lstat, readlink, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';

/** A mount that covers part of the container tree while the rootfs is being prepared. */
export interface ViewMount {
  readonly target: readonly string[];
  /** Host path bound at `target`; absent for a tmpfs (empty until the namespace creates things in it). */
  readonly source?: string;
}

/** Where a container path lives on the host: a host path, or inside a tmpfs that only exists later. */
export type Location = { readonly host: string } | { readonly tmpfs: ViewMount; readonly isMountRoot: boolean };

export type EntryKind = 'dir' | 'file' | 'other';

export interface ResolvedPath {
  /** The full resolved path as components: existing ones first, then the missing ones. */
  readonly components: readonly string[];
  /** How many leading components exist. */
  readonly existing: number;
  /** Type of the last existing component (`dir` for the root). */
  readonly kind: EntryKind;
}

const MAX_SYMLINKS = 40; // Linux's MAXSYMLINKS

/** Splits a container path into clean components; a leading `..` is clamped at the root. */
export function containerComponents(path: string): string[] {
  return posix.normalize(`/${path}`).split('/').filter((part) => part !== '' && part !== '.' && part !== '..');
}

export function containerPath(components: readonly string[]): string {
  return `/${components.join('/')}`;
}

function isPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  return prefix.length <= of.length && prefix.every((part, i) => part === of[i]);
}

/** The last mount (in mount order) covering `components` decides where they live, as in the kernel. */
export function locate(rootfs: string, mounts: readonly ViewMount[], components: readonly string[]): Location {
  for (let i = mounts.length - 1; i >= 0; i--) {
    const mount = mounts[i]!;
    if (!isPrefix(mount.target, components)) continue;
    const rest = components.slice(mount.target.length);
    if (mount.source === undefined) return { tmpfs: mount, isMountRoot: rest.length === 0 };
    return { host: join(mount.source, ...rest) };
  }
  return { host: join(rootfs, ...components) };
}

type Probe = { kind: EntryKind } | { kind: 'symlink'; target: string } | { kind: 'missing' };

async function probe(location: Location, isMountRoot: boolean): Promise<Probe> {
  if ('tmpfs' in location) return location.isMountRoot ? { kind: 'dir' } : { kind: 'missing' };
  try {
    // A bind source is mounted as what it resolves to on the host, so its root is stat()ed.
    const info = isMountRoot ? await stat(location.host) : await lstat(location.host);
    if (info.isSymbolicLink()) return { kind: 'symlink', target: await readlink(location.host) };
    return { kind: info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
}

function resolveError(path: string, why: string): TsbuildError {
  return new TsbuildError('E_STEP', `cannot resolve ${path} inside the rootfs: ${why}`);
}

/** Resolves `path` inside `rootfs` as seen through `mounts`; see the module comment. */
export async function resolveInRoot(rootfs: string, path: string, mounts: readonly ViewMount[] = []): Promise<ResolvedPath> {
  const pending = containerComponents(path).reverse();
  const current: string[] = [];
  let kind: EntryKind = 'dir';
  let links = 0;
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name === '..') {
      current.pop(); // `..` at the root stays at the root, like chroot
      kind = 'dir';
      continue;
    }
    if (kind !== 'dir') throw resolveError(path, `${containerPath(current)} is not a directory`);
    const candidate = [...current, name];
    const isMountRoot = mounts.some((m) => m.target.length === candidate.length && isPrefix(m.target, candidate));
    const found = await probe(locate(rootfs, mounts, candidate), isMountRoot);
    if (found.kind === 'missing') return withMissing(path, current, kind, [name, ...pending.reverse()]);
    if (found.kind === 'symlink') {
      if (++links > MAX_SYMLINKS) throw resolveError(path, 'too many levels of symbolic links');
      if (found.target.startsWith('/')) current.length = 0;
      pending.push(...found.target.split('/').filter((p) => p !== '' && p !== '.').reverse());
      continue;
    }
    current.push(name);
    kind = found.kind;
  }
  return { components: current, existing: current.length, kind };
}

function withMissing(path: string, existing: string[], kind: EntryKind, rest: string[]): ResolvedPath {
  if (kind !== 'dir') throw resolveError(path, `${containerPath(existing)} is not a directory`);
  const missing = rest.filter((part) => part !== '' && part !== '.');
  // Below a missing directory the kernel would fail with ENOENT, so `..` there has no meaning.
  if (missing.includes('..')) throw resolveError(path, `${containerPath([...existing, missing[0]!])} does not exist`);
  return { components: [...existing, ...missing], existing: existing.length, kind };
}
