// SECURITY D7 and J3: an image config is attacker input for the runner too. Hostile VOLUME paths,
// WORKDIR, reserved labels, huge Env and Cmd, an unknown StopSignal: each either runs inside the
// rootfs or fails with a clean runner error (status 125, one line, no stack), and the host canary
// stays untouched. J2 (a hostile pid 1 scraping a process the runner starts into the container):
// health probes enter the container as `exec` does (as in Docker, pid 1 can see them); their fds
// reach nothing of the host.
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootLayout } from '../../cache/root.js';
import type { ContainerConfig } from '../../executor/image-config.js';
import type { Runtime } from '../../lib/runner/run-container.js';
import { openRuntime } from '../../lib/runner/runtime.js';
import { makeCanary, type Canary } from '../executor/snapshot/canary.js';
import { importBusybox } from '../support/busybox-image.js';
import { runCli } from '../support/run-cli.js';

describe('security D7/J2/J3: image config as runner input [root]', function () {
  this.timeout(180_000);
  let root: string;
  let runtime: Runtime;
  let canary: Canary;
  const cli = (...args: string[]) => runCli(['--root', root, ...args]);

  async function derive(tag: string, config: ContainerConfig): Promise<void> {
    const base = await runtime.images.resolve('localhost/busybox:test');
    const merged = { ...base.config, config: { ...base.config.config, ...config } };
    await runtime.images.commitImage(merged, base.layers, { tags: [tag] });
  }

  function expectCleanRunnerError(run: { code: number; stderr: string }, pattern: RegExp): void {
    expect(run.code).to.equal(125);
    expect(run.stderr).to.match(pattern);
    expect(run.stderr).not.to.match(/\n\s+at /); // no stack trace
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-runner-sec-'));
    await importBusybox(root);
    runtime = await openRuntime(rootLayout(root));
    canary = makeCanary();
  });
  afterEach(() => canary.assertIntact());
  after(async () => {
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.includes(root));
    expect(mounts).to.deep.equal([]);
    await rm(root, { recursive: true, force: true });
    await rm(canary.dir, { recursive: true, force: true });
  });

  it('D7: VOLUME paths that climb out (`/../../<canary>`) stay in the rootfs; nothing of the host is mounted or copied', async () => {
    await derive('d7:volumes', { Volumes: { [`/../../${canary.dir}`]: {}, '/../../etc': {} } });
    const run = await cli('run', '--rm', 'd7:volumes', 'sh', '-c', `ls ${canary.dir} 2>&1; touch ${canary.dir}/pwned; ls /etc/shadow 2>&1; true`);
    expect(run.code).to.equal(0);
    expect(run.stdout).not.to.include('secret');
    expect(run.stdout).not.to.include('victim');
  });

  it('D7: WorkingDir "../../" is refused cleanly; "/../../<canary>" is a folder inside the rootfs', async () => {
    await derive('d7:relwd', { WorkingDir: '../../' });
    expectCleanRunnerError(await cli('run', '--rm', 'd7:relwd', 'pwd'), /working directory '\.\.\/\.\.\/' is invalid/);
    await derive('d7:climbwd', { WorkingDir: `/../../${canary.dir}` });
    const run = await cli('run', '--rm', 'd7:climbwd', 'sh', '-c', 'pwd; ls; touch made');
    expect(run.code).to.equal(0);
    expect(run.stdout).not.to.match(/secret|victim/);
  });

  it('D7: reserved labels (containerd.io/restart.loguri=binary://…) are data, never run', async () => {
    const marker = join(canary.dir, 'label-ran');
    await derive('d7:labels', {
      Labels: {
        'containerd.io/restart.loguri': `binary:///bin/sh?args=-c,touch ${marker}`,
        'com.docker.compose.project': '../../..',
        'org.opencontainers.image.source': `file://${canary.dir}`,
      },
    });
    const run = await cli('run', '--rm', 'd7:labels', 'true');
    expect(run.code).to.equal(0);
  });

  // 10^4 Env entries take ~110 s and 10^4 arguments longer: the sandbox's setup script splices
  // them in with shell loops that are quadratic in the count (a known gap). 1000 of each is
  // already far past real images.
  it('D7/J3: 1000 Env entries and a 1000-argument Cmd run or fail cleanly, within bounds', async () => {
    const env = Array.from({ length: 1000 }, (_, i) => `V${i}=${'x'.repeat(8)}`);
    await derive('j3:env', { Env: ['PATH=/bin', ...env] });
    const started = Date.now();
    const withEnv = await cli('run', '--rm', 'j3:env', 'sh', '-c', 'echo $V999');
    expect(Date.now() - started).to.be.below(60_000);
    if (withEnv.code === 0) expect(withEnv.stdout).to.equal('xxxxxxxx\n');
    else expect(withEnv.stderr).not.to.match(/\n\s+at /);
    await derive('j3:cmd', { Entrypoint: ['echo'], Cmd: Array.from({ length: 1000 }, () => 'a') });
    const withCmd = await cli('run', '--rm', 'j3:cmd');
    if (withCmd.code === 0) expect(withCmd.stdout.length).to.equal(2000);
    else expect(withCmd.stderr).not.to.match(/\n\s+at /);
  });

  it('J3: StopSignal "SIGKILLX" is a clean error before anything starts', async () => {
    await derive('j3:signal', { StopSignal: 'SIGKILLX' });
    const before = (await runtime.containers.list()).length;
    expectCleanRunnerError(await cli('run', '--rm', 'j3:signal', 'true'), /invalid signal: SIGKILLX/);
    expect((await runtime.containers.list()).length).to.equal(before);
  });

  it('J2: a pid 1 scanning /proc while health probes exec into the container finds no host fd', async () => {
    const probeMarker = `probe-${Date.now()}`;
    await derive('j2:scan', {
      Healthcheck: { Test: ['CMD', 'sh', '-c', `echo ${probeMarker} >/dev/null; sleep 1`], Interval: 100_000_000, Timeout: 5_000_000_000, StartPeriod: 0, Retries: 3 },
    });
    const scan = 'end=$(( $(date +%s) + 4 )); while [ $(date +%s) -lt $end ]; do for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null | tr "\\0" " "; echo; ls -l $p/fd 2>/dev/null; done; done';
    const run = await cli('run', '--rm', 'j2:scan', 'sh', '-c', scan);
    expect(run.code).to.equal(0);
    const targets = [...run.stdout.matchAll(/-> (.*)$/gm)].map((match) => match[1]!);
    expect(targets.length).to.be.above(0);
    for (const target of targets) {
      expect(target).to.match(/^(\/dev\/|pipe:|socket:|anon_inode:|\/proc\/|\/$|\/tmp|\/bin|\/etc)/);
      expect(target, 'an fd into the tsbuild root').not.to.include(root);
    }
  });
});
