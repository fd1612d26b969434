// The run's lifecycle: abort, the death of node itself, resource limits (SECURITY E6), parallel
// runs, and that nothing (process, mount, staging folder, cgroup) outlives a run.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readdir, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cgroupParents, type SandboxLimits } from '../../../executor/sandbox/cgroup-limits.js';
import { NamespaceSandbox } from '../../../executor/sandbox/namespace-sandbox.js';
import { busyboxSpec, makeRootfs, processesWith, processMarker, makeStagingBase, removeDir, requireRoot, runCaptured, sandboxLeftovers } from './sandbox-harness.js';

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'sandbox-child.js');

async function cgroupsOf(pid: number): Promise<string[]> {
  const found: string[] = [];
  for (const parent of await cgroupParents()) {
    for (const name of await readdir(parent).catch(() => [] as string[])) {
      if (name.startsWith(`tsbuild-sandbox-${pid}-`)) found.push(join(parent, name));
    }
  }
  return found;
}

/** Waits until at least `count` processes carry `marker`; fails instead of hanging. */
async function waitForProcesses(marker: string, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await processesWith(marker)).length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} processes with ${marker} after ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function waitUntilGone(marker: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = await processesWith(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(20);
    left = await processesWith(marker);
  }
  return left;
}

describe('executor/sandbox/namespace-sandbox: lifecycle and limits', function () {
  this.timeout(60_000);
  let rootfs: string;
  let staging: string;
  const sandboxWith = (limits?: SandboxLimits) => new NamespaceSandbox({ stagingBase: staging, ...(limits ? { limits } : {}) });

  before(async function () {
    requireRoot(this);
    rootfs = await makeRootfs();
    staging = await makeStagingBase();
  });

  after(async () => {
    await removeDir(rootfs);
    await removeDir(staging);
  });

  afterEach(async function () {
    if (rootfs) expect(await sandboxLeftovers(rootfs, staging)).to.deep.equal([]);
  });

  const sh = (script: string, marker: string, overrides = {}) => busyboxSpec(rootfs, { args: ['sh', '-c', script], env: ['PATH=/bin', marker], ...overrides });

  it('[root] abort kills a whole sleep 1000 tree within a second and rejects with E_ABORTED', async () => {
    const marker = processMarker();
    const controller = new AbortController();
    // An orphan, a background child, one in its own session, and pid 1 itself (busybox execs the last command).
    const script = '(sleep 1000 &); sleep 1000 & setsid sleep 1000 & sleep 1000';
    const run = runCaptured(sandboxWith(), sh(script, marker, { uid: 1000, gid: 1000 }), {}, controller.signal);
    const settled = run.then(() => undefined, (e: unknown) => e);
    try {
      await waitForProcesses(marker, 4);
    } finally {
      controller.abort();
    }
    const abortedAt = Date.now();
    const error = await settled;
    expect(error).to.have.property('code', 'E_ABORTED');
    expect(Date.now() - abortedAt).to.be.lessThan(1000);
    expect(await processesWith(marker)).to.deep.equal([]);
  });

  it('[root] an already aborted signal starts nothing', async () => {
    const error = await sandboxWith().run(busyboxSpec(rootfs), { stdout: process.stdout, stderr: process.stderr }, AbortSignal.abort()).catch((e: unknown) => e);
    expect(error).to.have.property('code', 'E_ABORTED');
  });

  it('[root] takes every sandbox process down when node itself is killed; the next sandbox sweeps what node left', async () => {
    const marker = processMarker();
    const input = JSON.stringify({ spec: sh('sleep 1000 & sleep 1000', marker, { uid: 1000, gid: 1000 }), options: { stagingBase: staging } });
    const child = spawn(process.execPath, [childScript, input], { stdio: 'ignore' });
    try {
      await waitForProcesses(marker, 2);
      child.kill('SIGKILL');
      expect(await waitUntilGone(marker, 2000)).to.deep.equal([]);
    } finally {
      child.kill('SIGKILL');
    }
    // Node could not clean up: its staging folder (no mount in it) and cgroup remain, named by its pid.
    const leftovers = [...(await sandboxLeftovers(rootfs, staging)), ...(await cgroupsOf(child.pid!))];
    expect(leftovers).to.not.be.empty;
    expect(leftovers.every((path) => path.includes(`/tsbuild-sandbox-${child.pid}-`))).to.equal(true);
    const past = new Date(Date.now() - 3_600_000);
    for (const path of leftovers) await utimes(path, past, past); // older than the sweep's safety margin
    await runCaptured(sandboxWith(), busyboxSpec(rootfs));
    expect([...(await sandboxLeftovers(rootfs, staging)), ...(await cgroupsOf(child.pid!))]).to.deep.equal([]);
  });

  it('[root] ends a runaway fork loop with a failed step under a pids limit, and the host stays responsive', async () => {
    const marker = processMarker();
    const sandbox = sandboxWith({ pids: 64 });
    let lag = 0;
    let last = Date.now();
    const probe = setInterval(() => {
      lag = Math.max(lag, Date.now() - last - 10);
      last = Date.now();
    }, 10);
    try {
      // A bounded loop (2000 at most) rather than a true bomb, as a non-root uid: where no cgroup is
      // writable the fallback, RLIMIT_NPROC, binds every uid but real root.
      const script = 'i=0; while [ $i -lt 2000 ]; do sleep 30 & i=$((i+1)); done; echo all-started';
      const result = await runCaptured(sandbox, sh(script, marker, { uid: 1000, gid: 1000 }));
      expect(result.exitCode).to.not.equal(0);
      expect(result.stdout).to.not.contain('all-started');
      expect(result.stderr).to.match(/fork|Resource temporarily unavailable/i);
    } finally {
      clearInterval(probe);
    }
    expect(lag).to.be.lessThan(1000);
    expect(await processesWith(marker)).to.deep.equal([]);
  });

  it('[root] ends a memory hog with a failed step under a memory limit', async function () {
    const sandbox = sandboxWith({ pids: 256, memoryBytes: 64 * 1024 * 1024 });
    // Without a writable cgroup there is no memory limit to test (rlimits cannot express one).
    const probe = await runCaptured(sandbox, sh('cat /proc/self/cgroup', processMarker()));
    if (!/^\d+:(memory|):.*tsbuild-sandbox-/m.test(probe.stdout)) this.skip();
    const result = await runCaptured(sandbox, sh('head -c 300000000 /dev/zero | sort > /dev/null; echo "status $?"', processMarker()));
    // sort holds the one 300 MB line in memory: the OOM killer ends it (SIGKILL, status 137).
    expect(result.stdout).to.equal('status 137\n');
  });

  it('[root] runs in parallel without interference', async () => {
    const sandbox = sandboxWith();
    const runs = await Promise.all(
      [1, 2, 3, 4].map((n) => runCaptured(sandbox, sh(`echo run ${n}; hostname`, processMarker(), { hostname: `box${n}` }))),
    );
    expect(runs.map((r) => r.stdout)).to.deep.equal([1, 2, 3, 4].map((n) => `run ${n}\nbox${n}\n`));
  });
});
