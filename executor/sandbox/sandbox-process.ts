// Spawns the sandbox's outermost process and follows it to the end: streams stdout and stderr as
// they come, reads the setup status channel (fd 3), and kills the whole tree on abort.
//
// File descriptors: the child gets exactly 0, 1, 2 and the status pipe 3. Node opens everything
// close-on-exec, but descriptors Node itself inherited without it do reach children; the setup
// script closes every descriptor above 4 before the step starts (setup-script.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { TsbuildError } from '../../lib/errors.js';
import { EXEC_MARKER } from './setup-script.js';
import type { Stdio } from './types.js';

export interface SandboxCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface SandboxExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True once the setup script handed over to the step's program. */
  readonly started: boolean;
  /** Setup diagnostics written to fd 3. */
  readonly setupOutput: string;
  readonly aborted: boolean;
}

const MAX_STATUS_BYTES = 64 * 1024;

function collectStatus(stream: Readable): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    if (size < MAX_STATUS_BYTES) chunks.push(chunk);
    size += chunk.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}

/** SIGKILL to the process group first (everything that did not setsid), then to the leader. */
function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function connectStdin(io: Stdio, stdin: Writable | null): void {
  if (!stdin || !io.stdin || io.stdin === 'ignore') return;
  // The step may exit without reading its input: EPIPE is not an error of ours.
  stdin.on('error', () => {});
  io.stdin.pipe(stdin);
}

/** e.g. E2BIG: one argument or environment entry above 128 KiB, or all of them above the kernel's limit. */
function startError(error: Error): TsbuildError {
  return new TsbuildError('E_STEP', `cannot start the sandbox: ${error.message}`, { cause: error });
}

/**
 * detached: a new session without a controlling terminal, so /dev/tty in the sandbox cannot reach
 * the user's terminal; the parent-death signal (not the session) ties the tree to us.
 */
function startChild(command: SandboxCommand, io: Stdio): ChildProcess {
  const wantsStdin = io.stdin !== undefined && io.stdin !== 'ignore';
  try {
    return spawn(command.file, [...command.args], {
      cwd: '/',
      env: { ...command.env },
      detached: true,
      stdio: [wantsStdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw startError(error as Error); // spawn throws E2BIG synchronously
  }
}

export async function runSandboxProcess(command: SandboxCommand, io: Stdio, signal?: AbortSignal): Promise<SandboxExit> {
  // An 'abort' listener added to an already aborted signal never fires: do not start at all.
  if (signal?.aborted) return { code: null, signal: null, started: false, setupOutput: '', aborted: true };
  const child = startChild(command, io);
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    killTree(child.pid);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  child.stdout!.pipe(io.stdout, { end: false });
  child.stderr!.pipe(io.stderr, { end: false });
  connectStdin(io, child.stdin);
  const status = collectStatus(child.stdio[3] as Readable);
  try {
    const [code, exitSignal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', (error) => reject(startError(error)));
      child.once('close', (code, exitSignal) => resolve([code, exitSignal]));
    });
    const setupOutput = status();
    return { code, signal: exitSignal, started: setupOutput.split('\n').includes(EXEC_MARKER), setupOutput, aborted };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (io.stdin && io.stdin !== 'ignore') io.stdin.unpipe();
  }
}
