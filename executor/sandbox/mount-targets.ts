// Turns the spec's mount targets and cwd into symlink-free paths inside the rootfs, creating mount
// stubs where needed, and into the records the setup script consumes. Everything is resolved here,
// in one place, in mount order: /proc, /dev, /sys, the /etc files, then the caller's mounts (each
// resolved through the ones before it), then the cwd (through all of them).
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import { containerPath, resolveInRoot, type ResolvedPath, type ViewMount } from './in-root-path.js';
import type { MountStubs } from './mount-stubs.js';
import { isPipeScriptMount, pipeScriptRecord } from './pipe-scripts.js';
import type { RunSpec, SandboxMount } from './types.js';

/** One caller mount for the script: `cd -P base`, verify, `mkdir -p rel`, then mount on `.` or `./file`. */
export interface UserMountRecord {
  readonly kind: 'bind' | 'tmpfs';
  readonly base: string;
  readonly rel: string;
  readonly file: string;
  /** The staged source (/.m/N) of a bind, or the tmpfs options. */
  readonly arg: string;
}

export interface StagedSource {
  readonly source: string;
  readonly readonly: boolean;
  readonly kind: 'dir' | 'file';
}

export interface PreparedTargets {
  /** Container paths (resolved) of /etc/hosts, /etc/resolv.conf and /etc/hostname, in that order. */
  readonly etcTargets: readonly string[];
  readonly userMounts: readonly UserMountRecord[];
  readonly stagedSources: readonly StagedSource[];
  /** The deepest existing directory of the cwd (T path) and the components to create below it. */
  readonly cwdBase: string;
  readonly cwdCreate: readonly string[];
}

export const ETC_FILES = ['hosts', 'resolv.conf', 'hostname'] as const;
const SANDBOX_TREES = ['proc', 'dev', 'sys'];

function setupError(message: string): TsbuildError {
  return new TsbuildError('E_STEP', `sandbox setup: ${message}`);
}

/**
 * runc refuses a symlinked /proc (CVE-2019-19921); so do we, for /dev and /sys too. A missing one
 * is made and kept, not a stub: runc leaves these mount points, and BuildKit's layer has them.
 */
async function prepareSandboxTrees(rootfs: string): Promise<ViewMount[]> {
  for (const name of SANDBOX_TREES) {
    const resolved = await resolveInRoot(rootfs, `/${name}`);
    if (resolved.components.join('/') !== name || (resolved.existing === 1 && resolved.kind !== 'dir')) {
      throw setupError(`the rootfs's /${name} must be a directory, not a symlink or a file`);
    }
    if (resolved.existing === 0) await mkdir(join(rootfs, name), 0o755);
  }
  return SANDBOX_TREES.map((name) => ({ target: [name] }));
}

function checkKind(resolved: ResolvedPath, kind: 'dir' | 'file', what: string): void {
  const exists = resolved.existing === resolved.components.length;
  if (exists && resolved.kind !== kind) {
    throw setupError(`${what} ${containerPath(resolved.components)} exists but is not a ${kind === 'dir' ? 'directory' : 'regular file'}`);
  }
}

async function sourceKind(mount: SandboxMount): Promise<'dir' | 'file'> {
  if (mount.type === 'tmpfs') return 'dir';
  const info = await stat(mount.source).catch(() => undefined);
  // A unix socket (an ssh agent forwarded into RUN) binds onto a file stub like a regular file.
  if (!info || !(info.isDirectory() || info.isFile() || info.isSocket())) throw setupError(`bind source ${mount.source} is not a directory, regular file or socket`);
  return info.isDirectory() ? 'dir' : 'file';
}

function tmpfsOptions(mount: SandboxMount): string {
  const size = mount.type === 'tmpfs' && mount.size !== undefined ? [`size=${mount.size}`] : [];
  return ['nosuid', 'nodev', 'mode=1777', ...size].join(',');
}

function userMountRecord(rootName: string, resolved: ResolvedPath, kind: 'dir' | 'file', namespaceFrom: number | undefined, arg: string, mount: SandboxMount): UserMountRecord {
  const dirParts = kind === 'file' ? resolved.components.slice(0, -1) : [...resolved.components];
  const split = Math.min(namespaceFrom ?? dirParts.length, dirParts.length);
  return {
    kind: mount.type,
    base: `/${[rootName, ...dirParts.slice(0, split)].join('/')}`,
    rel: dirParts.slice(split).join('/'),
    file: kind === 'file' ? resolved.components.at(-1)! : '',
    arg,
  };
}

export async function prepareTargets(spec: RunSpec, rootName: string, stubs: MountStubs, etcSources: readonly string[]): Promise<PreparedTargets> {
  const view = await prepareSandboxTrees(spec.rootfs);
  const etcTargets: string[] = [];
  for (const [i, name] of ETC_FILES.entries()) {
    const resolved = await resolveInRoot(spec.rootfs, `/etc/${name}`, view);
    checkKind(resolved, 'file', 'the mount point');
    await stubs.ensure(resolved, 'file', view);
    etcTargets.push(containerPath(resolved.components));
    view.push({ target: resolved.components, source: etcSources[i]! });
  }
  const userMounts: UserMountRecord[] = [];
  const stagedSources: StagedSource[] = [];
  for (const mount of spec.mounts) {
    if (mount.type === 'bind' && isPipeScriptMount(mount)) {
      // Not in the rootfs: a file in the sandbox's own /dev, created when /dev is mounted.
      if ((await sourceKind(mount)) !== 'file') throw setupError(`the script mounted at ${mount.target} is not a regular file`);
      userMounts.push(pipeScriptRecord(rootName, mount, `/.m/${stagedSources.length}`));
      stagedSources.push({ source: mount.source, readonly: true, kind: 'file' });
      continue;
    }
    const kind = await sourceKind(mount);
    const resolved = await resolveInRoot(spec.rootfs, mount.target, view);
    checkKind(resolved, kind, 'the mount point');
    const { namespaceFrom } = await stubs.ensure(resolved, kind, view);
    const arg = mount.type === 'bind' ? `/.m/${stagedSources.length}` : tmpfsOptions(mount);
    if (mount.type === 'bind') stagedSources.push({ source: mount.source, readonly: mount.readonly === true, kind });
    userMounts.push(userMountRecord(rootName, resolved, kind, namespaceFrom, arg, mount));
    view.push(mount.type === 'bind' ? { target: resolved.components, source: mount.source } : { target: resolved.components });
  }
  const cwd = await resolveInRoot(spec.rootfs, spec.cwd, view);
  checkKind(cwd, 'dir', 'the working directory');
  const existing = cwd.components.slice(0, cwd.existing);
  return { etcTargets, userMounts, stagedSources, cwdBase: `/${[rootName, ...existing].join('/')}`, cwdCreate: cwd.components.slice(cwd.existing) };
}
