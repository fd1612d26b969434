// Small helpers for building trees before a case and checking them after, in the spirit of
// continuity's fstest. Checks resolve paths inside the root (never through a host symlink).
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, symlinkSync, linkSync, writeFileSync, chmodSync } from 'node:fs';
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { InRoot } from '../../../executor/snapshot/in-root.js';
import { mkTar, type TarFixtureEntry } from '../../support/mk-tar.js';

export type TreeStep = (root: string) => void;

export const createDir = (path: string, mode = 0o755): TreeStep => (root) => {
  mkdirSync(join(root, path), { recursive: true });
  chmodSync(join(root, path), mode);
};
export const createFile = (path: string, content: string | Buffer, mode = 0o644): TreeStep => (root) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  chmodSync(join(root, path), mode);
};
/** Like fstest.Symlink(target, path). */
export const createSymlink = (target: string, path: string): TreeStep => (root) => symlinkSync(target, join(root, path));
/** Like fstest.Link(existing, path): `existing` is resolved in-root by the caller's layout. */
export const createLink = (existing: string, path: string): TreeStep => (root) => linkSync(join(root, existing), join(root, path));

export function makeTree(...steps: TreeStep[]): string {
  const root = mkdtempSync(join(tmpdir(), 'snapshot-spec-'));
  for (const step of steps) step(root);
  return root;
}

export function tarStream(entries: readonly TarFixtureEntry[]): Readable {
  return Readable.from([mkTar(entries)]);
}

/** The host path of `path` resolved inside `root`, following symlinks there (fs.RootPath). */
export async function inRootPath(root: string, path: string): Promise<string> {
  const inRoot = await InRoot.open(root);
  const resolved = await inRoot.resolve(path, true);
  expect(resolved.missing, `${path} exists in the root`).to.deep.equal([]);
  return inRoot.hostPath(resolved.existing);
}

export async function readInRoot(root: string, path: string): Promise<string> {
  return readFile(await inRootPath(root, path), 'utf8');
}

export async function expectSameFile(root: string, a: string, b: string): Promise<void> {
  const [left, right] = await Promise.all([stat(await inRootPath(root, a)), stat(await inRootPath(root, b))]);
  expect([left.dev, left.ino], `${a} and ${b} are one file`).to.deep.equal([right.dev, right.ino]);
}

export async function expectNotSameFile(root: string, a: string, b: string): Promise<void> {
  const [left, right] = await Promise.all([stat(await inRootPath(root, a)), stat(await inRootPath(root, b))]);
  expect([left.dev, left.ino], `${a} and ${b} are different files`).to.not.deep.equal([right.dev, right.ino]);
}

export async function expectSameSymlink(root: string, a: string, b: string): Promise<void> {
  for (const path of [a, b]) expect((await lstat(join(root, path))).isSymbolicLink(), `${path} is a symlink`).to.equal(true);
  expect(await readlink(join(root, a))).to.equal(await readlink(join(root, b)));
}

export async function expectMissing(root: string, path: string): Promise<void> {
  const error = await lstat(join(root, path)).then(() => null, (e: NodeJS.ErrnoException) => e);
  expect(error?.code, `${path} should not exist`).to.be.oneOf(['ENOENT', 'ENOTDIR']);
}

/** Runs `promise` and returns what it threw (failing when it did not throw). */
export async function thrownBy(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  expect.fail('expected an error');
}
