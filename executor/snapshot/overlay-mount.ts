// Mounting and unmounting overlayfs with the host's `mount` tool. The engine runs in its own
// private mount namespace (as root, or as root of a user namespace when rootless), so these mounts
// are invisible to the host and vanish with the engine.
//
// Options, and why:
// - lowerdir is topmost first; paths are given relative to their common parent (the tool runs
//   there) so that long chains fit.
// - redirect_dir=nofollow, metacopy=off, index=off: a renamed folder is copied up whole and a
//   chmod copies data too, so the upper folder alone says what changed. (With redirects or
//   metacopy the upper holds pointers into the lowers that our differ could not see. In a user
//   namespace `redirect_dir=off` even conflicts with userxattr; `nofollow` works in both.)
// - userxattr in a user namespace: trusted.* xattrs need real root (Linux >= 5.11).
// The option string of mount(2) is limited to one page. util-linux >= 2.39 uses the new mount API
// by default, which limits each value to 256 bytes instead, so the classic call is forced with
// LIBMOUNT_FORCE_MOUNT2. A chain too long for one page is mounted with `lowerdir+=` (one value
// per layer, Linux >= 6.8), else in two levels: the bottom layers in a read-only overlay used as
// the lowest lower of the final one (overlayfs nests only that deep). If all fail, the caller falls
// back to the copy mode.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import { runHostCommand } from './host-command.js';

/** mount(2) copies one page of option data, NUL included; 4 KiB is the smallest page we meet. */
export const MOUNT_DATA_LIMIT = 4095;
const SAFE_OPTIONS = 'redirect_dir=nofollow,metacopy=off,index=off';

export interface OverlaySpec {
  /** Read-only layers, topmost first. Without an upper at least two are needed. */
  readonly lowers: readonly string[];
  readonly upper?: string;
  /** Overlay's scratch folder, empty, on the same filesystem as `upper`. */
  readonly work?: string;
  readonly target: string;
}

export type MountStrategy = 'page' | 'append' | 'two-level';

export interface MountedOverlay {
  readonly target: string;
  readonly strategy: MountStrategy;
  /** Unmounts everything this mount needed, innermost last. */
  unmount(): Promise<void>;
}

/** True when this process is not in the initial user namespace (rootless mode). */
export function inUserNamespace(): boolean {
  try {
    return readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') !== '0 0 4294967295';
  } catch {
    return false;
  }
}

/** Mounts `spec`, trying the strategies in order; `scratch` holds intermediate mount points. */
export async function mountOverlay(spec: OverlaySpec, scratch: string, only?: MountStrategy): Promise<MountedOverlay> {
  for (const path of [...spec.lowers, spec.upper, spec.work, spec.target]) {
    if (path !== undefined && /[,:\\\n]/.test(path)) throw new TsbuildError('E_STEP', `overlay paths may not contain , : \\ or newlines: ${path}`);
  }
  const failures: string[] = [];
  for (const strategy of only ? [only] : (['page', 'append', 'two-level'] as const)) {
    try {
      const mounted = await mountWith(strategy, spec, scratch);
      if (mounted) return mounted;
      failures.push(`${strategy}: the options do not fit`);
    } catch (error) {
      failures.push(`${strategy}: ${(error as Error).message}`);
    }
  }
  throw new TsbuildError('E_STEP', `cannot mount an overlay of ${spec.lowers.length} layers at ${spec.target}: ${failures.join('; ')}`);
}

async function mountWith(strategy: MountStrategy, spec: OverlaySpec, scratch: string): Promise<MountedOverlay | null> {
  if (strategy === 'append') {
    await runMount(spec, appendOptions, false);
    return mounted(spec.target, strategy, []);
  }
  if (strategy === 'page') {
    if (!(await runMount(spec, pageOptions, true))) return null;
    return mounted(spec.target, strategy, []);
  }
  return mountTwoLevel(spec, scratch);
}

/** The topmost layers go in the final mount; the others below them in one read-only overlay. */
async function mountTwoLevel(spec: OverlaySpec, scratch: string): Promise<MountedOverlay | null> {
  const bottomTarget = join(scratch, 'lower-chain');
  for (let split = spec.lowers.length - 2; split >= 1; split--) {
    const top: OverlaySpec = { ...spec, lowers: [...spec.lowers.slice(0, split), bottomTarget] };
    const bottom: OverlaySpec = { lowers: spec.lowers.slice(split), target: bottomTarget };
    if (optionsFor(top, pageOptions).options.length > MOUNT_DATA_LIMIT) continue;
    await mkdir(bottomTarget, { recursive: true });
    if (!(await runMount(bottom, pageOptions, true))) return null;
    try {
      if (!(await runMount(top, pageOptions, true))) throw new TsbuildError('E_STEP', 'the final mount does not fit');
    } catch (error) {
      await unmount(bottomTarget);
      throw error;
    }
    return mounted(spec.target, 'two-level', [bottomTarget]);
  }
  return null;
}

type OptionBuilder = (spec: OverlaySpec, cwd: string) => string;

function pageOptions(spec: OverlaySpec, cwd: string): string {
  const lowers = `lowerdir=${spec.lowers.map((path) => relativeTo(cwd, path)).join(':')}`;
  return [lowers, ...upperOptions(spec, cwd)].join(',');
}

function appendOptions(spec: OverlaySpec, cwd: string): string {
  const lowers = spec.lowers.map((path) => `lowerdir+=${relativeTo(cwd, path)}`);
  return [...upperOptions(spec, cwd), ...lowers].join(',');
}

function upperOptions(spec: OverlaySpec, cwd: string): string[] {
  const options = spec.upper ? [`upperdir=${relativeTo(cwd, spec.upper)}`, `workdir=${relativeTo(cwd, spec.work!)}`] : [];
  options.push(SAFE_OPTIONS);
  if (inUserNamespace()) options.push('userxattr');
  return options;
}

/** The option string, with paths relative to their common parent `cwd`. */
function optionsFor(spec: OverlaySpec, build: OptionBuilder): { cwd: string; options: string } {
  const cwd = commonParent([...spec.lowers, ...(spec.upper ? [spec.upper, spec.work!] : [])]);
  return { cwd, options: build(spec, cwd) };
}

/** Runs mount from the paths' common parent; false when a page-limited option string is too long. */
async function runMount(spec: OverlaySpec, build: OptionBuilder, pageLimited: boolean): Promise<boolean> {
  const { cwd, options } = optionsFor(spec, build);
  if (pageLimited && options.length > MOUNT_DATA_LIMIT) return false;
  const env = pageLimited ? { ...process.env, LIBMOUNT_FORCE_MOUNT2: 'always' } : process.env;
  await runHostCommand('mount', ['-t', 'overlay', 'overlay', '-o', options, spec.target], { cwd, env });
  return true;
}

function mounted(target: string, strategy: MountStrategy, inner: readonly string[]): MountedOverlay {
  return {
    target,
    strategy,
    async unmount() {
      await unmount(target);
      for (const path of inner) await unmount(path);
    },
  };
}

/** Unmounts; a busy mount is detached lazily so cleanup never leaves the engine stuck. */
export async function unmount(target: string): Promise<void> {
  try {
    await runHostCommand('umount', [target]);
  } catch {
    await runHostCommand('umount', ['-l', target]);
  }
}

function relativeTo(cwd: string, path: string): string {
  return relative(cwd, path) || '.';
}

function commonParent(paths: readonly string[]): string {
  let prefix = dirname(paths[0]!).split(sep);
  for (const path of paths.slice(1)) {
    const parts = path.split(sep);
    let i = 0;
    while (i < prefix.length && prefix[i] === parts[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix.join(sep) || sep;
}
