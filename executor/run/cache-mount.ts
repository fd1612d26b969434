// RUN --mount=type=cache: a folder that outlives builds, under the state dir, keyed by its id
// (default: the target), the tree it is seeded from (`from=`/`source=`) and its uid/gid/mode (a
// cache first made with other owners is another cache, as in BuildKit). Sharing:
//   shared  - every run uses instance 0 at the same time (no lock);
//   locked  - runs take instance 0 one at a time (a cross-process lock held for the run);
//   private - a run takes the first instance nobody holds, creating a new one when all are busy.
// An instance is made in a temp folder and renamed into place, so a half-made cache is never used.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, rename, rm, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { acquireLock, type LockHolder, tryLock } from '../../cache/lock.js';
import { canonicalJson } from '../../cache/cache-key.js';
import { TsbuildError } from '../../lib/errors.js';
import type { RunMount } from '../../parser/instructions/run-mount.js';
import { runHostCommand } from '../snapshot/host-command.js';
import { resolveSourcePath } from './bind-mount.js';
import { absoluteTarget, type MountContext, type PreparedMount, requireTarget } from './mount-types.js';

export const RUN_CACHE_DIR = 'run-cache-v1';

/** What tells caches apart; never a host path. */
export function cacheIdentity(mount: RunMount, target: string): { id: string; from: string | null; source: string | null; uid: number; gid: number; mode: number } {
  return {
    id: mount.id ?? target,
    from: mount.from ?? null,
    source: mount.from === undefined ? null : (mount.source ?? '/'),
    uid: mount.uid ?? 0,
    gid: mount.gid ?? 0,
    mode: mount.mode ?? 0o755,
  };
}

function cacheFolder(stateDir: string, identity: ReturnType<typeof cacheIdentity>): string {
  const digest = createHash('sha256').update(canonicalJson(identity)).digest('hex');
  return posix.join(stateDir, RUN_CACHE_DIR, digest);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Makes instance `dir` once: empty or seeded from `from`, with the cache's owner and mode. */
async function ensureInstance(mc: MountContext, mount: RunMount, identity: ReturnType<typeof cacheIdentity>, dir: string): Promise<void> {
  if (await exists(dir)) return;
  const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    if (mount.from !== undefined) await seedFrom(mc, mount.from, identity.source ?? '/', temp);
    else await mkdir(temp);
    if (process.getuid?.() === 0) await chown(temp, identity.uid, identity.gid);
    await chmod(temp, identity.mode);
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another run made the same instance first: theirs is as good as ours.
    if (!(await exists(dir))) throw error;
  }
}

async function seedFrom(mc: MountContext, from: string, source: string, dest: string): Promise<void> {
  const tree = await mc.openFrom(from);
  try {
    const host = await resolveSourcePath(tree.dir, source);
    await runHostCommand('cp', ['-a', '--', host, dest]);
  } finally {
    await tree.release();
  }
}

/**
 * Without `from`, `source` is a sub-folder of the cache, resolved inside it. A shared cache can be
 * changed by a concurrent run between that resolution and the bind (a component swapped for a
 * link to the host's `/`, CVE-2024-23651), so it is only allowed while this run holds the instance.
 */
async function cacheSubfolder(mount: RunMount, dir: string): Promise<string> {
  if (mount.from !== undefined || mount.source === undefined) return dir;
  if (mount.sharing !== 'locked' && mount.sharing !== 'private') {
    throw new TsbuildError('E_STEP', 'a cache mount with source= and no from= needs sharing=locked or sharing=private');
  }
  return resolveSourcePath(dir, mount.source);
}

/** The instance this run uses and the lock it holds (none for shared). */
async function takeInstance(mc: MountContext, folder: string, sharing: RunMount['sharing']): Promise<{ index: number; lock?: LockHolder }> {
  const lockOptions = { tmpDir: posix.join(mc.step.stateDir, RUN_CACHE_DIR, 'tmp'), purpose: 'RUN cache mount' };
  await mkdir(lockOptions.tmpDir, { recursive: true });
  if (sharing === 'locked') {
    const lock = await acquireLock(posix.join(folder, '0.lock'), { ...lockOptions, signal: mc.step.signal });
    return { index: 0, lock };
  }
  if (sharing !== 'private') return { index: 0 };
  for (let index = 0; ; index++) {
    const lock = await tryLock(posix.join(folder, `${index}.lock`), lockOptions);
    if (lock !== undefined) return { index, lock };
  }
}

export async function prepareCacheMount(mc: MountContext, mount: RunMount): Promise<PreparedMount> {
  const target = absoluteTarget(requireTarget(mount.target, 'cache'), mc.workdir);
  const identity = cacheIdentity(mount, target);
  const folder = cacheFolder(mc.step.stateDir, identity);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const { index, lock } = await takeInstance(mc, folder, mount.sharing);
  try {
    const dir = posix.join(folder, String(index));
    await ensureInstance(mc, mount, identity, dir);
    const source = await cacheSubfolder(mount, dir);
    return { mount: { type: 'bind', source, target, readonly: mount.readOnly }, release: async () => lock?.release() };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}
