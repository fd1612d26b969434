// A step's filesystem behind one interface, whatever the host allows:
// - overlay: the lower snapshots (read-only) and an empty upper folder are mounted at `merged`;
//   after the step the upper says what changed (layer-diff.ts).
// - copy: the lowers are flattened into `base`, which is copied to `merged` with cp -a; after the
//   step the two trees are compared (tree-diff.ts). Same layer, more disk and time.
// `auto` mounts when it can and copies otherwise. Lowers are snapshot trees (snapshotTree(dir)),
// topmost first. `scratch` is a private folder for mount points and copies; for the overlay mode it
// must be on the same filesystem as `upper` (overlayfs requires workdir and upperdir together).
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyTree, flattenSnapshots } from './copy-snapshot.js';
import { makeDeviceNode } from './in-root.js';
import { inUserNamespace, type MountStrategy, mountOverlay } from './overlay-mount.js';

export interface PreparedOverlay {
  readonly kind: 'overlay';
  readonly merged: string;
  readonly upper: string;
  readonly lowers: readonly string[];
  readonly strategy: MountStrategy;
  /** Unmounts `merged` (once), so the upper can be taken over as a snapshot; cleanup() still removes the rest. */
  detach(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface PreparedCopy {
  readonly kind: 'copy';
  readonly merged: string;
  /** The lowers flattened, as they were before the step. */
  readonly base: string;
  readonly lowers: readonly string[];
  /** Why the overlay mode was not used, when `auto` fell back to copying. */
  readonly overlayError?: string;
  cleanup(): Promise<void>;
}

export type PreparedRootfs = PreparedOverlay | PreparedCopy;

export interface PrepareOptions {
  /** Snapshot trees, topmost first; empty for FROM scratch. */
  readonly lowers: readonly string[];
  /** An empty folder receiving the step's writes (overlay mode; unused by the copy mode). */
  readonly upper: string;
  readonly scratch: string;
  readonly mode?: 'auto' | 'overlay' | 'copy';
}

/** Prepares the step's rootfs; see the module comment. Call cleanup() when the layer is written. */
export async function prepareRootfs(options: PrepareOptions): Promise<PreparedRootfs> {
  const mode = options.mode ?? 'auto';
  if (mode === 'copy') return prepareCopy(options);
  try {
    return await prepareOverlay(options);
  } catch (error) {
    if (mode === 'overlay') throw error;
    return prepareCopy(options, (error as Error).message);
  }
}

async function prepareOverlay(options: PrepareOptions): Promise<PreparedOverlay> {
  const merged = join(options.scratch, 'merged');
  const work = join(options.scratch, 'work');
  await mkdir(merged, { recursive: true });
  await mkdir(work, { recursive: true });
  let lowers = options.lowers;
  if (lowers.length === 0) {
    lowers = [join(options.scratch, 'empty')]; // overlayfs needs one lower; FROM scratch has none
    await mkdir(lowers[0]!, { recursive: true });
  }
  const mount = await mountOverlay({ lowers, upper: options.upper, work, target: merged }, options.scratch);
  let unmounted: Promise<void> | undefined;
  const detach = (): Promise<void> => (unmounted ??= mount.unmount().catch((error: unknown) => {
    unmounted = undefined; // cleanup() tries again
    throw error;
  }));
  return {
    kind: 'overlay',
    merged,
    upper: options.upper,
    lowers: options.lowers,
    strategy: mount.strategy,
    detach,
    async cleanup() {
      await detach();
      await rm(options.scratch, { recursive: true, force: true });
    },
  };
}

async function prepareCopy(options: PrepareOptions, overlayError?: string): Promise<PreparedCopy> {
  const base = join(options.scratch, 'base');
  const merged = join(options.scratch, 'merged');
  await mkdir(base, { recursive: true });
  await flattenSnapshots(options.lowers, base);
  await rm(merged, { recursive: true, force: true });
  await copyTree(base, merged);
  return {
    kind: 'copy',
    merged,
    base,
    lowers: options.lowers,
    ...(overlayError === undefined ? {} : { overlayError }),
    async cleanup() {
      await rm(options.scratch, { recursive: true, force: true });
    },
  };
}

export interface OverlaySupport {
  readonly available: boolean;
  /** Mounted with `userxattr` (we are in a user namespace). */
  readonly userxattr: boolean;
  /** Why not, when not available. */
  readonly reason?: string;
}

/**
 * Mounts a two-layer overlay in `scratch` with a whiteout device in the upper lower and checks that
 * it hides the name below: proves mount permission, the options we use and 0/0 mknod at once.
 */
export async function detectOverlaySupport(scratch: string): Promise<OverlaySupport> {
  const probe = join(scratch, `overlay-probe-${randomBytes(4).toString('hex')}`);
  const userxattr = inUserNamespace();
  try {
    const dirs = ['top', 'bottom/hidden', 'upper', 'work', 'merged'].map((name) => join(probe, name));
    for (const dir of dirs) await mkdir(dir, { recursive: true });
    await makeDeviceNode(join(probe, 'top', 'hidden'), 'char', 0, 0);
    const mount = await mountOverlay({ lowers: [join(probe, 'top'), join(probe, 'bottom')], upper: join(probe, 'upper'), work: join(probe, 'work'), target: join(probe, 'merged') }, probe, 'page');
    const visible = await readdir(join(probe, 'merged'));
    await mount.unmount();
    if (visible.length !== 0) return { available: false, userxattr, reason: 'whiteout devices are not honoured' };
    return { available: true, userxattr };
  } catch (error) {
    return { available: false, userxattr, reason: (error as Error).message };
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}
