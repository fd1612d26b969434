// What every RUN mount kind gets to prepare itself, and what it hands back to the sandbox spec.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { currentStamp, formatStamp, ownerState, parseStamp } from '../../cache/process-stamp.js';
import { TsbuildError } from '../../lib/errors.js';
import type { SandboxMount } from '../sandbox/types.js';
import type { SourceTree, StepContext } from '../steps/types.js';

/** The folder under the state dir holding per-run scratch folders (secrets, throwaway copies). */
export const RUN_SCRATCH_DIR = 'run-scratch-v1';

export interface MountContext {
  readonly step: StepContext;
  /** Opens the tree a mount's `from=` names (a stage or an image), read-only. */
  openFrom(from: string): Promise<SourceTree>;
  /** The stage's working directory: a relative target is taken from it, as BuildKit does. */
  readonly workdir: string;
}

/** One prepared mount: what the sandbox binds (nothing for an env-only secret), env, and cleanup. */
export interface PreparedMount {
  readonly mount?: SandboxMount;
  readonly env?: readonly string[];
  release(): Promise<void>;
}

export const NOTHING_TO_RELEASE = async (): Promise<void> => {};

/** An absolute, clean container path; a relative target is resolved from the working directory. */
export function absoluteTarget(target: string, workdir: string): string {
  return posix.normalize(target.startsWith('/') ? target : posix.join('/', workdir, target)).replace(/(.)\/$/, '$1');
}

export function requireTarget(target: string | undefined, type: string): string {
  if (target === undefined || target === '') throw new TsbuildError('E_STEP', `${type} mount target is required`);
  return target;
}

const swept = new Set<string>();

/**
 * Scratch folders of a process killed mid-run (secret copies among them) are removed by the next
 * process that makes one; an owner that cannot be judged (another pid namespace) is left alone.
 */
async function sweepDeadOwners(base: string): Promise<void> {
  if (swept.has(base)) return;
  swept.add(base);
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const stamp = parseStamp(name.split('_')[0] ?? '');
    if (stamp !== undefined && ownerState(stamp) === 'dead') await rm(posix.join(base, name), { recursive: true, force: true });
  }
}

/** A fresh private (0700) folder for one run's scratch data; removed by the returned function. */
export async function makeScratchDir(stateDir: string, purpose: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const base = posix.join(stateDir, RUN_SCRATCH_DIR);
  await sweepDeadOwners(base);
  const dir = posix.join(base, `${formatStamp(currentStamp())}_${purpose}_${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
