// Shared helpers for the sandbox specs: a busybox rootfs per suite, output capture, and a check
// that a run left nothing behind (mounts, staging folders, cgroups, processes).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, lchown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { RunResult, RunSpec, Sandbox, Stdio } from '../../../executor/sandbox/types.js';
import { makeBusyboxRootfs } from '../../support/busybox-rootfs.js';

export const isRoot = process.getuid?.() === 0;

/** Skips a `[root]` test when not running as root (CI runs these under sudo). */
export function requireRoot(context: Mocha.Context): void {
  if (!isRoot) context.skip();
}

/** A Writable that keeps what it was given, and remembers when each chunk arrived. */
export class TextSink extends Writable {
  private readonly chunks: Buffer[] = [];
  readonly arrivals: number[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    this.arrivals.push(Date.now());
    done();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export interface Captured extends RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** No spec run may outlive this: these specs also run inside other people's full mocha runs. */
export const RUN_DEADLINE_MS = 30_000;

export async function runCaptured(sandbox: Sandbox, spec: RunSpec, extra: Partial<Stdio> = {}, signal?: AbortSignal): Promise<Captured> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const deadline = AbortSignal.timeout(RUN_DEADLINE_MS);
  const result = await sandbox.run(spec, { stdout, stderr, ...extra }, signal ? AbortSignal.any([signal, deadline]) : deadline);
  return { ...result, stdout: stdout.text(), stderr: stderr.text() };
}

/** A fresh busybox rootfs in a temp folder, optionally owned by `owner` (for rootless runs). */
export async function makeRootfs(owner?: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-spec-rootfs-'));
  await makeBusyboxRootfs(dir);
  if (owner !== undefined) await chownTree(dir, owner);
  return dir;
}

async function chownTree(path: string, owner: number): Promise<void> {
  await chown(path, owner, owner);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, owner);
    else if (entry.isSymbolicLink()) await lchown(child, owner, owner);
    else await chown(child, owner, owner);
  }
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

export function busyboxSpec(rootfs: string, overrides: Partial<RunSpec> = {}): RunSpec {
  return {
    rootfs,
    args: ['true'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    cwd: '/',
    uid: 0,
    gid: 0,
    additionalGids: [],
    hostname: 'buildkitsandbox',
    network: 'default',
    mounts: [],
    ...overrides,
  };
}

/** A unique environment entry: a process carrying it is one of ours (SECURITY E6). */
export function processMarker(): string {
  return `TSBUILD_SPEC_MARKER=${randomBytes(8).toString('hex')}`;
}

/** Pids of live processes whose environment contains `marker`. */
export async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(marker)) found.push(Number(entry));
  }
  return found;
}

/** A folder of its own for a suite's staging roots, so leftovers are checked without seeing other runs. */
export async function makeStagingBase(): Promise<string> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtemp(join(base, 'tsbuild-spec-staging-'));
}

/**
 * What a run could leave behind: mounts of the rootfs or in the staging base (in the host's mount
 * table), and staging roots. Cgroups need no check here: failing to remove one fails the run.
 */
export async function sandboxLeftovers(rootfs: string, stagingBase: string): Promise<string[]> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').filter((line) => line.includes(rootfs) || line.includes(stagingBase));
  const staging = (await readdir(stagingBase).catch(() => [])).map((name) => join(stagingBase, name));
  return [...mounts, ...staging];
}
