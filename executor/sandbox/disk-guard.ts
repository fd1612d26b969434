// A disk quota for a run, so a runaway write (`dd if=/dev/zero of=/big`) ends as a failed step
// instead of a full disk (SECURITY E6). Linux offers no per-folder quota on an overlay upper or a
// plain folder without project quotas, and RLIMIT_FSIZE bounds one file, not a thousand; so a
// watcher polls statfs(2) of the filesystem that receives the run's writes (the rootfs: for an
// overlay that is its upper's filesystem) and stops the run when
// - the bytes consumed since the run started pass `diskBytes` (when set), or
// - the free space falls below the reserve: by default 5% of the filesystem, at most 2 GiB, so a
//   build never takes the last of a disk other programs (and the store itself) need.
// The poll is cheap and catches any number of files; a writer faster than the poll interval can
// overshoot by what it writes in that time, and a disk that fills anyway ends the step on ENOSPC,
// which the store survives (cache/enospc). Other writers on the same filesystem count too: the
// quota is on the filesystem's consumption while the run lasts, not on the run's own files.
import { statfs } from 'node:fs/promises';
import { TsbuildError } from '../../lib/errors.js';

/** A run the guard stopped; `reason` is the sentence without "the run was stopped". */
export class DiskGuardError extends TsbuildError {
  constructor(readonly reason: string) {
    super('E_STEP', `the run was stopped: ${reason}`);
  }
}

export interface DiskLimits {
  /** Bytes the run may consume on its filesystem (none by default: only the reserve applies). */
  readonly diskBytes?: number;
  /** Free bytes to keep; default: 5% of the filesystem, at most 2 GiB. 0 turns the reserve off. */
  readonly minFreeBytes?: number;
  /** How often to look, in milliseconds (default 100). */
  readonly diskPollMs?: number;
}

const MAX_DEFAULT_RESERVE = 2 * 1024 ** 3;

interface Space {
  readonly free: number;
  readonly size: number;
}

async function space(dir: string): Promise<Space> {
  const info = await statfs(dir);
  return { free: info.bavail * info.bsize, size: info.blocks * info.bsize };
}

/** The free space to keep on a filesystem of `size` bytes when none is configured. */
export function defaultReserve(size: number): number {
  return Math.min(MAX_DEFAULT_RESERVE, Math.floor(size * 0.05));
}

export interface DiskGuard {
  /** The signal to run under: aborted when the guard or the caller's signal stops the run. */
  readonly signal: AbortSignal;
  /** The error to report instead of an abort, when the guard was what stopped the run. */
  readonly tripped: () => DiskGuardError | undefined;
  stop(): void;
}

/** Starts watching the filesystem of `dir`; call stop() when the run is over. */
export async function watchDisk(dir: string, limits: DiskLimits, parent?: AbortSignal): Promise<DiskGuard> {
  const start = await space(dir);
  const reserve = limits.minFreeBytes ?? defaultReserve(start.size);
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  if (parent?.aborted) controller.abort(parent.reason);
  let error: DiskGuardError | undefined;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted) return;
    checking = true;
    space(dir)
      .then((now) => {
        error = overLimit(start, now, limits.diskBytes, reserve);
        if (error !== undefined) controller.abort(error);
      })
      .catch(() => undefined) // the folder may be going away as the run ends
      .finally(() => (checking = false));
  }, limits.diskPollMs ?? 100);
  return {
    signal: controller.signal,
    tripped: () => error,
    stop: () => {
      clearInterval(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

function overLimit(start: Space, now: Space, quota: number | undefined, reserve: number): DiskGuardError | undefined {
  const used = start.free - now.free;
  if (quota !== undefined && used > quota) {
    return new DiskGuardError(`it wrote more than its disk quota of ${mib(quota)} (${mib(used)} used)`);
  }
  if (used > 0 && now.free < reserve) {
    return new DiskGuardError(`the disk holding the build is nearly full (${mib(now.free)} free, ${mib(reserve)} kept in reserve)`);
  }
  return undefined;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
