// kill -9 of a CLI build at several moments (blob ingest, record write, tag write, mid-RUN), then
// a plain rebuild on the same root: it must succeed without manual repair, give the image a clean
// build gives in a fresh root, leave a root `tsbuild verify` finds sound, and leave no mounts.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

/** A fresh folder with busybox imported into `root/` and the crash Dockerfile in `context/`. */
export async function makeCrashRoot(parent: string, name: string): Promise<{ root: string; context: string }> {
  const dir = join(parent, name);
  const context = join(dir, 'context');
  await mkdir(context, { recursive: true });
  await writeFile(join(context, 'Dockerfile'), CRASH_DOCKERFILE);
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

describe('tsbuild build killed with SIGKILL [root]', function () {
  this.timeout(180000);
  let parent: string;
  let cleanImageId: string;

  before(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tsbuild-crash-'));
    const clean = await makeCrashRoot(parent, 'clean');
    cleanImageId = imageIdOf(await spawnCli(['--root', clean.root, 'build', '-q', '-t', 'crash:x', clean.context]));
  });
  after(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  const cases: { name: string; env?: Record<string, string>; killWhen?: RegExp }[] = [
    { name: 'during blob ingest, before the blob is renamed into place', env: { TSBUILD_FAILPOINTS: 'content.beforeRename=kill' } },
    { name: 'during blob ingest, after the temp file is written', env: { TSBUILD_FAILPOINTS: 'content.afterWrite=kill' } },
    { name: 'right after a blob is renamed into place', env: { TSBUILD_FAILPOINTS: 'content.afterRename=kill' } },
    { name: 'during a cache record write', env: { TSBUILD_FAILPOINTS: 'index.beforeRename=kill' } },
    { name: 'right after a cache record is renamed into place', env: { TSBUILD_FAILPOINTS: 'index.afterRename=kill' } },
    { name: 'during an atomic file write (tag, stat cache)', env: { TSBUILD_FAILPOINTS: 'atomic.beforeRename=kill' } },
    { name: 'during a RUN (once it printed its first line)', killWhen: /run-started/ },
  ];

  for (const [index, testCase] of cases.entries()) {
    it(`killed ${testCase.name}: the rebuild gives the clean image, verify passes, no mounts remain`, async () => {
      const { root, context } = await makeCrashRoot(parent, `case-${index}`);
      const killed = await spawnCli(['--root', root, 'build', '--progress', 'plain', '-t', 'crash:x', context], testCase.env, testCase.killWhen);
      expect(killed.signal, killed.output).to.equal('SIGKILL');

      const rebuilt = await spawnCli(['--root', root, 'build', '-q', '-t', 'crash:x', context]);
      expect(rebuilt.code, rebuilt.output).to.equal(0);
      expect(imageIdOf(rebuilt)).to.equal(cleanImageId);

      const verified = await spawnCli(['--root', root, 'verify']);
      expect(verified.code, verified.output).to.equal(0);
      expect(verified.output).to.match(/0 damaged blobs, 0 dropped records/);
      expect(await mountsUnder(root)).to.deep.equal([]);

      // The tag points at a usable image: a second rebuild is fully cached and gives the same ID.
      const again = await spawnCli(['--root', root, 'build', '--progress', 'plain', '-t', 'crash:x', context]);
      expect(again.code, again.output).to.equal(0);
      expect((again.output.match(/CACHED/g) ?? []).length, again.output).to.equal(3);
    });
  }
});
