// T, the staging root: a fresh temp folder per run that becomes `/` of the sandbox's mount
// namespace after pivot_root (the rootfs is chrooted into from there). It holds only mount points,
// the host's /usr (mounted read-only later), the generated /etc files, the /dev skeleton and the
// fstab batches. It is never mounted on the host side, so deleting it can never reach host data;
// removal still checks the host's mount table first, in case something went wrong.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, statfs, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fstabText, type FstabEntry } from './fstab.js';
import type { HostLayout } from './host-layout.js';
import { mountsBelow } from './host-mounts.js';
import { DEVICE_NODES } from './mount-plan.js';
import type { StagedSource } from './mount-targets.js';

export interface StagingFiles {
  readonly hosts: string;
  readonly resolvConf: string;
  readonly hostname: string;
}

export interface FstabBatches {
  readonly pre: readonly FstabEntry[];
  readonly dev: readonly FstabEntry[];
  readonly late: readonly FstabEntry[];
  readonly proc: readonly FstabEntry[];
}

/** The symlinks every /dev has (runc's defaults), made by cp -a from the skeleton. */
const DEV_SYMLINKS: [string, string][] = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
  ['ptmx', 'pts/ptmx'],
];

const TMPFS_MAGIC = 0x01021994;

/**
 * Where staging roots are made: /dev/shm when it is a writable tmpfs (T is created and deleted on
 * every step; on a disk filesystem that is journal traffic), else the OS temp folder.
 */
export async function defaultStagingBase(): Promise<string> {
  try {
    await access('/dev/shm', constants.W_OK | constants.X_OK);
    if ((await statfs('/dev/shm')).type === TMPFS_MAGIC) return '/dev/shm';
  } catch {
    // no usable /dev/shm
  }
  return tmpdir();
}

/**
 * Creates T (mode 0700: other host users cannot look in) and its unguessable rootfs mount point
 * name. `namePrefix` carries node's pid (stale-runs.ts).
 */
export async function createStagingDir(base: string, namePrefix: string): Promise<{ dir: string; rootName: string }> {
  const dir = await mkdtemp(join(base, namePrefix));
  return { dir, rootName: `r-${randomBytes(16).toString('hex')}` };
}

/** Paths in T of the generated /etc files, bound read-only onto the rootfs's /etc entries. */
export function etcSourcePaths(dir: string): string[] {
  return ['hosts', 'resolv.conf', 'hostname'].map((name) => join(dir, '.s', name));
}

async function emptyFile(path: string): Promise<void> {
  await writeFile(path, '', { mode: 0o644 });
}

/** Directories first, then everything inside them; each wave in parallel (this is on every step's path). */
async function writeMountPoints(dir: string, content: StagingContent): Promise<void> {
  const { layout, sources, rootless, rootName } = content;
  const at = (...parts: string[]): string => join(dir, ...parts);
  // .old receives the host's root at pivot_root; it is detached before the step starts.
  const dirs = ['usr', 'proc', '.old', '.d', '.m', rootName].map((sub) => at(sub));
  // pts, shm and mqueue of the /dev skeleton are mount points: their own mounts decide their modes.
  dirs.push(...['pts', 'shm', 'mqueue'].map((sub) => at('.s', 'dev', sub)));
  dirs.push(...layout.topLevel.filter((top) => top.symlinkTarget === undefined).map((top) => at(top.name)));
  if (layout.ldCacheFlags) dirs.push(at('etc'));
  if (rootless) dirs.push(at('.h', 'sys'));
  await Promise.all(dirs.map((path) => mkdir(path, { recursive: true })));
  const entries: Promise<void>[] = [];
  for (const top of layout.topLevel) if (top.symlinkTarget !== undefined) entries.push(symlink(top.symlinkTarget, at(top.name)));
  for (const [name, target] of DEV_SYMLINKS) entries.push(symlink(target, at('.s', 'dev', name)));
  for (const node of DEVICE_NODES) entries.push(emptyFile(at('.d', node)), emptyFile(at('.s', 'dev', node)));
  if (layout.ldCacheFlags) entries.push(emptyFile(at('etc', 'ld.so.cache')));
  for (const [index, source] of sources.entries()) {
    entries.push(source.kind === 'dir' ? mkdir(at('.m', String(index))).then(() => undefined) : emptyFile(at('.m', String(index))));
  }
  await Promise.all(entries);
}

export interface StagingContent {
  readonly rootName: string;
  readonly layout: HostLayout;
  readonly sources: readonly StagedSource[];
  readonly rootless: boolean;
}

export async function writeEtcFiles(dir: string, files: StagingFiles): Promise<void> {
  await mkdir(join(dir, '.s'), { recursive: true });
  const [hosts, resolv, hostname] = etcSourcePaths(dir);
  await writeFile(hosts!, files.hosts, { mode: 0o644 });
  await writeFile(resolv!, files.resolvConf, { mode: 0o644 });
  await writeFile(hostname!, files.hostname, { mode: 0o644 });
}

/** Fills T; the /etc files must already be there (mount targets are resolved against them). */
export async function writeStaging(dir: string, content: StagingContent, batches: FstabBatches): Promise<void> {
  await writeMountPoints(dir, content);
  await Promise.all(
    Object.entries(batches).map(([name, entries]) => writeFile(join(dir, '.s', `fstab-${name}`), fstabText(entries as FstabEntry[]), { mode: 0o644 })),
  );
}

/** Deletes T, unless the host can see a mount inside it (then deleting would cross into it). */
export async function removeStagingDir(dir: string): Promise<void> {
  const mounted = await mountsBelow(dir);
  if (mounted.length > 0) {
    throw new Error(`refusing to delete ${dir}: the host sees mounts below it (${mounted.join(', ')})`);
  }
  await rm(dir, { recursive: true, force: true });
}
