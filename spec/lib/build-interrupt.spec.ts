// A CLI build leaves nothing behind: after Ctrl-C (SIGINT) in the middle of a RUN, after a RUN
// that fails with a process still running in the background, after a successful RUN that left a
// background process, and after kill -9 once the next build has run: no process of the step, no
// mount, no step folder under the root's tmp/, and no staging folder or cgroup of the build.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupParents } from '../../executor/sandbox/cgroup-limits.js';
import { defaultStagingBase } from '../../executor/sandbox/staging-root.js';
import { type ChildBuild, makeCrashRoot, spawnCli, TSBUILD_BIN } from './build-crash-support.js';

/** Pids whose command line contains `token`. */
async function processesWith(token: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(join('/proc', name, 'cmdline'), 'utf8').catch(() => '');
    if (cmdline.includes(token)) pids.push(Number(name));
  }
  return pids;
}

async function waitUntilNoProcess(token: string, ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = await processesWith(token);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Staging folders and cgroups named after the build's pid (stale-runs.ts). */
async function runLeftovers(pid: number): Promise<string[]> {
  const prefix = `tsbuild-sandbox-${pid}-`;
  const found: string[] = [];
  for (const dir of [await defaultStagingBase(), ...(await cgroupParents())]) {
    for (const name of await readdir(dir).catch(() => [] as string[])) if (name.startsWith(prefix)) found.push(join(dir, name));
  }
  return found;
}

async function mountsMentioning(...parts: string[]): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => parts.some((part) => line.includes(part)));
}

/** Spawns a CLI build and sends `signal` once its output matches `when` (never, for null). */
function buildWithSignal(args: readonly string[], signal: NodeJS.Signals, when: RegExp | null): { done: Promise<ChildBuild>; pid: number } {
  const child = spawn(process.execPath, [TSBUILD_BIN, ...args], { env: { ...process.env, TSBUILD_FAILPOINTS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let sent = false;
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (when !== null && !sent && when.test(output)) {
      sent = true;
      child.kill(signal);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const done = new Promise<ChildBuild>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signalName) => resolve({ code, signal: signalName, output }));
  });
  return { done, pid: child.pid! };
}

describe('tsbuild build leaves no process, mount or temp folder behind [root]', function () {
  this.timeout(180_000);
  let parent: string;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    parent = await mkdtemp(join(tmpdir(), 'tsbuild-interrupt-'));
  });
  after(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  async function expectClean(root: string, token: string, pid: number): Promise<void> {
    expect(await waitUntilNoProcess(token, 3000), 'step processes').to.deep.equal([]);
    expect(await mountsMentioning(root, `tsbuild-sandbox-${pid}-`), 'mounts').to.deep.equal([]);
    expect(await readdir(join(root, 'tmp')).catch(() => []), 'step folders under tmp/').to.deep.equal([]);
    expect(await runLeftovers(pid), 'staging folders and cgroups').to.deep.equal([]);
  }

  it('Ctrl-C in the middle of a RUN stops the build and removes everything [root]', async () => {
    const token = String(randomInt(100_000, 999_999));
    const { root, context } = await makeCrashRoot(parent, 'sigint', `FROM localhost/busybox:test\nRUN sleep 8${token} & echo run-started && sleep 9${token}\n`);
    const build = buildWithSignal(['--root', root, 'build', '--progress', 'plain', '-t', 'int:x', context], 'SIGINT', /run-started/);
    const started = Date.now();
    const outcome = await build.done;
    expect(Date.now() - started, outcome.output).to.be.below(30_000);
    expect(outcome.code, outcome.output).to.not.equal(0);
    await expectClean(root, token, build.pid);
  });

  it('a failing RUN with a process left in the background removes everything [root]', async () => {
    const token = String(randomInt(100_000, 999_999));
    const { root, context } = await makeCrashRoot(parent, 'failing', `FROM localhost/busybox:test\nRUN sleep 8${token} & exit 3\n`);
    const build = buildWithSignal(['--root', root, 'build', '--progress', 'plain', '-t', 'fail:x', context], 'SIGINT', null);
    const outcome = await build.done;
    expect(outcome.code, outcome.output).to.not.equal(0);
    expect(outcome.output).to.contain('exit code: 3');
    await expectClean(root, token, build.pid);
  });

  it('a RUN that succeeds with a process left in the background does not leave it running [root]', async () => {
    const token = String(randomInt(100_000, 999_999));
    const { root, context } = await makeCrashRoot(parent, 'background', `FROM localhost/busybox:test\nRUN sleep 8${token} & echo started\n`);
    const build = buildWithSignal(['--root', root, 'build', '-q', '-t', 'bg:x', context], 'SIGINT', null);
    const outcome = await build.done;
    expect(outcome.code, outcome.output).to.equal(0);
    await expectClean(root, token, build.pid);
  });

  it('kill -9 in the middle of a RUN: the step dies with the build, and the next build cleans up [root]', async () => {
    const token = String(randomInt(100_000, 999_999));
    const { root, context } = await makeCrashRoot(parent, 'sigkill', `FROM localhost/busybox:test\nRUN echo run-started && sleep 9${token}\n`);
    const build = buildWithSignal(['--root', root, 'build', '--progress', 'plain', '-t', 'kill:x', context], 'SIGKILL', /run-started/);
    const killed = await build.done;
    expect(killed.signal, killed.output).to.equal('SIGKILL');
    expect(await waitUntilNoProcess(token, 3000), 'step processes').to.deep.equal([]);
    expect(await mountsMentioning(root), 'mounts').to.deep.equal([]);
    // The next build removes the dead build's step folders (its staging folder waits a minute:
    // a pid that looks dead may belong to another pid namespace; namespace-sandbox-lifecycle covers it).
    const other = join(parent, 'sigkill', 'other');
    await mkdir(other);
    await writeFile(join(other, 'Dockerfile'), 'FROM localhost/busybox:test\nRUN echo next > /next\n');
    const next = await spawnCli(['--root', root, 'build', '-q', '-t', 'other:x', other]);
    expect(next.code, next.output).to.equal(0);
    expect(await readdir(join(root, 'tmp')), 'step folders under tmp/').to.deep.equal([]);
    expect(await mountsMentioning(root, `tsbuild-sandbox-${build.pid}-`), 'mounts').to.deep.equal([]);
  });
});
