// Child-process CLI builds for crash and concurrency specs: a root with busybox, a Dockerfile
// whose image is the same in every fresh root (pinned mtimes), and ways to read the outcome.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importBusybox } from '../support/busybox-image.js';

// dist/spec/lib → the repository's bin/tsbuild.js
export const TSBUILD_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/tsbuild.js');

// Every file the RUN writes is set to time 0, so two clean builds give the same image ID.
export const CRASH_DOCKERFILE = [
  'FROM localhost/busybox:test',
  'COPY a.txt /a.txt',
  'RUN echo run-started && sleep 2 && mkdir -p /out && cat /a.txt > /out/f && touch -d @0 /out/f /out /',
  'COPY b.txt /b.txt',
  '',
].join('\n');

export interface ChildBuild {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** Runs `tsbuild ARGS` as a child process; `killWhen` SIGKILLs it once its output matches. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}, killWhen?: RegExp): Promise<ChildBuild> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [TSBUILD_BIN, ...args], { env: { ...process.env, TSBUILD_FAILPOINTS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (killWhen !== undefined && killWhen.test(output)) child.kill('SIGKILL');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, output }));
  });
}

/** A fresh folder with busybox imported into `root/` and a Dockerfile (the crash one) in `context/`. */
export async function makeCrashRoot(parent: string, name: string, dockerfile = CRASH_DOCKERFILE): Promise<{ root: string; context: string }> {
  const dir = join(parent, name);
  const context = join(dir, 'context');
  await mkdir(context, { recursive: true });
  await writeFile(join(context, 'Dockerfile'), dockerfile);
  await writeFile(join(context, 'a.txt'), 'alpha\n');
  await writeFile(join(context, 'b.txt'), 'bravo\n');
  // COPY keeps mtimes (as BuildKit does): pin them so every context gives the same layers.
  for (const file of ['a.txt', 'b.txt']) await utimes(join(context, file), 0, 0);
  const root = join(dir, 'root');
  await importBusybox(root);
  return { root, context };
}

export function imageIdOf(build: ChildBuild): string {
  const id = build.output.trim().split('\n').pop() ?? '';
  expect(id, build.output).to.match(/^sha256:[0-9a-f]{64}$/);
  return id;
}

export async function mountsUnder(path: string): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.includes(path));
}

