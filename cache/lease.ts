// Shared leases and the exclusive GC lock: the containerd model ("GC takes an exclusive lock,
// builds hold leases") with files only.
// A running build owns one lease file, `leases/<owner stamp>.<random>.lease`, and appends the
// digests it needs, one per line. GC holds `locks/gc.lock` while it reads every live lease and
// sweeps. The protocol that makes this safe without a shared-lock primitive:
//   build: 1. append the digest to its lease   2. if gc.lock is held, wait until it is gone
//   GC:    1. take gc.lock                     2. read the leases, then sweep
// If the build saw no GC lock at step 2, any GC that takes the lock later reads the leases
// after the build's append and keeps the digest; if it saw one, it waits until that GC is done.
// Appends need no fsync: a lease means nothing once its owner is dead, and readers ignore a
// torn last line. Leases of dead owners are removed by the next GC.
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TsbuildError } from '../lib/errors.js';
import { isDigest } from './digest.js';
import { acquireLock, lockState, type LockHolder } from './lock.js';
import { currentStamp, formatStamp, ownerState, parseStamp } from './process-stamp.js';
import type { RootLayout } from './root.js';

export type LeaseLayout = Pick<RootLayout, 'leases' | 'locks' | 'tmp'>;

export function gcLockPath(layout: Pick<RootLayout, 'locks'>): string {
  return join(layout.locks, 'gc.lock');
}

/** Takes the exclusive store lock that prune and verify hold while they delete. */
export function acquireGcLock(layout: LeaseLayout, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LockHolder> {
  return acquireLock(gcLockPath(layout), { ...options, tmpDir: layout.tmp, purpose: 'garbage collection' });
}

export interface LeaseOptions {
  /** Aborts a `protect` that is waiting for a GC to finish. */
  readonly signal?: AbortSignal;
}

/** A running build's claim on blobs. Implements the content store's `BlobLease`. */
export class Lease {
  private readonly protectedDigests = new Set<string>();
  private handle: FileHandle | undefined;

  private constructor(private readonly layout: LeaseLayout, readonly path: string, handle: FileHandle, private readonly signal: AbortSignal | undefined) {
    this.handle = handle;
  }

  static async create(layout: LeaseLayout, options: LeaseOptions = {}): Promise<Lease> {
    const path = join(layout.leases, `${formatStamp(currentStamp())}.${randomBytes(6).toString('hex')}.lease`);
    const handle = await open(path, 'ax', 0o600);
    return new Lease(layout, path, handle, options.signal);
  }

  /** Keeps `digests` from any GC that has not started yet, and waits out one that has. */
  async protect(digests: readonly string[]): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) throw new TsbuildError('E_STORE', `lease ${this.path} was already released`);
    const fresh = digests.filter((digest) => isDigest(digest) && !this.protectedDigests.has(digest));
    if (fresh.length > 0) {
      await handle.appendFile(fresh.map((digest) => `${digest}\n`).join(''));
      for (const digest of fresh) this.protectedDigests.add(digest);
    }
    await waitWhileGcRuns(this.layout, this.signal);
  }

  get digests(): ReadonlySet<string> {
    return this.protectedDigests;
  }

  async release(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) return;
    await handle.close();
    await unlink(this.path).catch(() => undefined);
  }
}

/** Returns once no live GC holds gc.lock (a dead one's lock does not count). */
async function waitWhileGcRuns(layout: LeaseLayout, signal: AbortSignal | undefined): Promise<void> {
  for (let delay = 5; (await lockState(gcLockPath(layout))) === 'held'; delay = Math.min(delay * 2, 200)) {
    if (signal?.aborted) throw new TsbuildError('E_ABORTED', 'stopped waiting for garbage collection to finish', { cause: signal.reason });
    await sleep(delay, undefined, { signal }).catch(() => undefined);
  }
}

/**
 * Every digest named by a lease of a live (or unjudgeable) owner. Lease files of dead owners
 * are removed. Call while holding the GC lock.
 */
export async function readLeasedDigests(layout: LeaseLayout): Promise<Set<string>> {
  const leased = new Set<string>();
  for (const path of await liveLeaseFiles(layout)) {
    const text = await readFile(path, 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (isDigest(line)) leased.add(line);
  }
  return leased;
}

/**
 * Whether a build is running on this root (a lease of a live or unjudgeable owner). Under the
 * GC lock the answer holds: a build that starts later waits for the GC before its steps run.
 */
export async function buildsRunning(layout: LeaseLayout): Promise<boolean> {
  return (await liveLeaseFiles(layout)).length > 0;
}

/** Paths of the lease files of live (or unjudgeable) owners; those of dead owners are removed. */
async function liveLeaseFiles(layout: LeaseLayout): Promise<string[]> {
  const live: string[] = [];
  for (const name of await readdir(layout.leases).catch(() => [] as string[])) {
    const match = /^(.*)\.[0-9a-f]{12}\.lease$/.exec(name);
    const owner = match === null ? undefined : parseStamp(match[1]!);
    if (owner === undefined) continue;
    const path = join(layout.leases, name);
    if (ownerState(owner) === 'dead') await unlink(path).catch(() => undefined);
    else live.push(path);
  }
  return live;
}
