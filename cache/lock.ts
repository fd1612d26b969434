// Cross-process exclusive locks without native code. A lock is a file created atomically with
// its content: the owner's stamp is written to a temp file which is then hard-linked to the
// lock path (link fails with EEXIST when the lock is held, and never leaves an empty lock file
// behind, unlike open('wx') followed by a write that a kill -9 can separate).
// A lock whose owner is provably dead (see process-stamp.ts) is stale and is broken; an owner
// that cannot be judged (another pid namespace) is respected. Breaking is serialized by a
// second lock file (`<path>.break`) and checked by inode: while the stale file is held open its
// inode number cannot be reused, so "the lock is still that file" is a sound test, and only
// the breaker holding `.break` may unlink the lock.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TsbuildError } from '../lib/errors.js';
import { tempFileName } from './atomic-file.js';
import { currentStamp, formatStamp, ownerState, parseStamp, type ProcessStamp } from './process-stamp.js';

export interface LockOptions {
  /** The root's tmp/ folder, where the lock's content is prepared (same filesystem). */
  readonly tmpDir: string;
  /** What the lock is for; shown to whoever waits for it. */
  readonly purpose?: string;
}

export interface WaitOptions extends LockOptions {
  /** Give up after this long with E_STORE; default: wait for ever (or until `signal`). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface LockHolder {
  readonly path: string;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface LockOwner {
  readonly stamp: ProcessStamp;
  readonly purpose: string;
  readonly createdMs: number;
}

/** An unreadable lock file younger than this may still be in creation by a third party. */
const UNREADABLE_GRACE_MS = 10_000;

/** Takes the lock now, or returns undefined when a live process holds it. */
export async function tryLock(path: string, options: LockOptions): Promise<LockHolder | undefined> {
  const token = randomBytes(8).toString('hex');
  const content = JSON.stringify({ owner: formatStamp(currentStamp()), purpose: options.purpose ?? '', created: Date.now(), token });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createWithContent(path, content, options.tmpDir)) return holder(path, token);
    const existing = await openExisting(path);
    if (existing === undefined) continue;
    try {
      if (lockLooksAlive(existing.owner, existing.ageMs)) return undefined;
      await breakStale(path, existing.ino, options.tmpDir);
    } finally {
      await existing.handle.close();
    }
  }
  return undefined;
}

/** Waits for the lock, polling with backoff; E_STORE on timeout, E_ABORTED on abort. */
export async function acquireLock(path: string, options: WaitOptions): Promise<LockHolder> {
  const deadline = Date.now() + (options.timeoutMs ?? Infinity);
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    if (options.signal?.aborted) throw new TsbuildError('E_ABORTED', `stopped waiting for the lock ${path}`, { cause: options.signal.reason });
    const taken = await tryLock(path, options);
    if (taken !== undefined) return taken;
    if (Date.now() >= deadline) {
      const owner = await readLockOwner(path);
      const by = owner === undefined ? '' : ` held by pid ${owner.stamp.pid}${owner.purpose === '' ? '' : ` (${owner.purpose})`}`;
      throw new TsbuildError('E_STORE', `timed out after ${options.timeoutMs} ms waiting for the lock ${path}${by}`);
    }
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())), undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** Who holds the lock, or undefined when it is free or unreadable. */
export async function readLockOwner(path: string): Promise<LockOwner | undefined> {
  const existing = await openExisting(path);
  await existing?.handle.close();
  return existing?.owner;
}

/** 'free', 'held' (by a live or unjudgeable owner) or 'stale' (its owner is dead). */
export async function lockState(path: string): Promise<'free' | 'held' | 'stale'> {
  const existing = await openExisting(path);
  if (existing === undefined) return 'free';
  await existing.handle.close();
  return lockLooksAlive(existing.owner, existing.ageMs) ? 'held' : 'stale';
}

function lockLooksAlive(owner: LockOwner | undefined, ageMs: number): boolean {
  if (owner === undefined) return ageMs < UNREADABLE_GRACE_MS;
  return ownerState(owner.stamp) !== 'dead';
}

async function createWithContent(path: string, content: string, tmpDir: string): Promise<boolean> {
  const temp = join(tmpDir, tempFileName());
  await writeFile(temp, content, { flag: 'wx', mode: 0o600 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new TsbuildError('E_STORE', `cannot create the lock ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

interface OpenLock {
  readonly handle: FileHandle;
  readonly ino: number;
  readonly ageMs: number;
  readonly owner: LockOwner | undefined;
  readonly text: string;
}

/** Opens the lock file (kept open: see the header) and parses its owner; undefined if absent. */
async function openExisting(path: string): Promise<OpenLock | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const stats = await handle.stat();
  const text = await handle.readFile('utf8');
  return { handle, ino: stats.ino, ageMs: Date.now() - stats.mtimeMs, owner: parseOwner(text), text };
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as { owner?: unknown; purpose?: unknown; created?: unknown };
    const stamp = typeof value.owner === 'string' ? parseStamp(value.owner) : undefined;
    if (stamp === undefined) return undefined;
    return { stamp, purpose: typeof value.purpose === 'string' ? value.purpose : '', createdMs: Number(value.created) || 0 };
  } catch {
    return undefined;
  }
}

/** Unlinks `path` if it still is the stale inode `ino`; at most one breaker at a time. */
async function breakStale(path: string, ino: number, tmpDir: string): Promise<void> {
  const breaker = `${path}.break`;
  const content = JSON.stringify({ owner: formatStamp(currentStamp()), purpose: 'breaking a stale lock', created: Date.now() });
  if (!(await createWithContent(breaker, content, tmpDir))) {
    await removeDeadBreaker(breaker, tmpDir);
    return;
  }
  try {
    const now = await lstat(path).catch(() => undefined);
    if (now?.ino === ino) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

/**
 * A breaker that died while breaking: moved aside and removed if it is still the dead one;
 * a live breaker caught by mistake is put back. (Breaking takes microseconds, so this path is
 * only reached after a crash at exactly that moment.)
 */
async function removeDeadBreaker(breaker: string, tmpDir: string): Promise<void> {
  const existing = await openExisting(breaker);
  if (existing === undefined) return;
  try {
    if (lockLooksAlive(existing.owner, existing.ageMs)) return;
    const aside = join(tmpDir, tempFileName());
    if (!(await rename(breaker, aside).then(() => true, () => false))) return;
    if ((await lstat(aside)).ino !== existing.ino) await link(aside, breaker).catch(() => undefined);
    await unlink(aside);
  } finally {
    await existing.handle.close();
  }
}

function holder(path: string, token: string): LockHolder {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      const existing = await openExisting(path);
      if (existing === undefined) return;
      try {
        if (tokenOf(existing.text) === token) await unlink(path).catch(() => undefined);
      } finally {
        await existing.handle.close();
      }
    },
  };
}

function tokenOf(text: string): string | undefined {
  try {
    const value = JSON.parse(text) as { token?: unknown };
    return typeof value.token === 'string' ? value.token : undefined;
  } catch {
    return undefined;
  }
}
