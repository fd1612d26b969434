// The runner end to end [root]: busybox images run in the namespace sandbox through the CLI and the
// library. Expected outputs were taken from `docker run` on the same images (see launch-config.spec).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { rootLayout } from '../../../cache/root.js';
import type { ContainerConfig } from '../../../executor/image-config.js';
import type { ContainerRecord } from '../../../lib/runner/container-store.js';
import { createContainer, startContainer, type CreateOptions, type Runtime } from '../../../lib/runner/run-container.js';
import { openRuntime } from '../../../lib/runner/runtime.js';
import { importBusybox } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';

async function mountsUnder(path: string): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.includes(path));
}

describe('lib/runner containers [root]', function () {
  this.timeout(120_000);
  let root: string;
  let runtime: Runtime;
  const cli = (...args: string[]) => runCli(['--root', root, ...args]);

  /** Derives an image from busybox with `config` merged into its container config. */
  async function derive(tag: string, config: ContainerConfig): Promise<void> {
    const base = await runtime.images.resolve('localhost/busybox:test');
    const merged = { ...base.config, config: { ...base.config.config, ...config } };
    await runtime.images.commitImage(merged, base.layers, { tags: [tag] });
  }

  async function until(check: () => boolean | Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async function state(id: string): Promise<ContainerRecord> {
    return (await runtime.containers.find(id));
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-runner-'));
    await importBusybox(root);
    runtime = await openRuntime(rootLayout(root));
    await derive('probe:run', { Entrypoint: ['echo', 'ep'], Cmd: ['c1'], Env: ['FOO=img', 'PATH=/bin'], WorkingDir: '/work', User: 'nobody' });
  });

  after(async () => {
    expect(await mountsUnder(root)).to.deep.equal([]);
    await rm(root, { recursive: true, force: true });
  });

  describe('what runs', () => {
    it('combines ENTRYPOINT and CMD as docker run does', async () => {
      expect((await cli('run', '--rm', 'probe:run')).stdout).to.equal('ep c1\n');
      expect((await cli('run', '--rm', 'probe:run', 'x', 'y')).stdout).to.equal('ep x y\n');
      expect((await cli('run', '--rm', '--entrypoint', 'pwd', 'probe:run')).stdout).to.equal('/work\n');
    });

    it('gives the environment and user docker run gives', async () => {
      const env = await cli('run', '--rm', '--entrypoint', 'env', 'probe:run');
      expect(env.stdout).to.match(/^PATH=\/bin\nHOSTNAME=[0-9a-f]{12}\nFOO=img\nHOME=\/nonexistent\n$/);
      expect((await cli('run', '--rm', '--entrypoint', 'id', 'probe:run')).stdout).to.equal('uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n');
      expect((await cli('run', '--rm', '-u', '0:nogroup', '--entrypoint', 'id', 'probe:run')).stdout).to.equal('uid=0(root) gid=65534(nogroup) groups=65534(nogroup)\n');
      const withFlags = await cli('run', '--rm', '-e', 'FOO=cli', '-e', 'BAR=2', '-u', 'root', '-w', '/tmp', '--entrypoint', 'sh', 'probe:run', '--', '-c', 'echo $FOO $BAR $HOME $(pwd) $(hostname)');
      expect(withFlags.stdout).to.match(/^cli 2 \/root \/tmp [0-9a-f]{12}\n$/);
    });

    it('sets the hostname to the short container ID', async () => {
      const run = await cli('run', '--name', 'host-check', 'localhost/busybox:test', 'hostname');
      const record = await state('host-check');
      expect(run.stdout).to.equal(`${record.Id.slice(0, 12)}\n`);
      expect(record.State).to.include({ Status: 'exited', ExitCode: 0, Running: false });
      await cli('rm', 'host-check');
    });

    it('exits with the process status, 127/126 for a missing or non-executable command, 125 for runner errors', async () => {
      expect((await cli('run', '--rm', 'localhost/busybox:test', '--', 'sh', '-c', 'exit 3')).code).to.equal(3);
      expect((await cli('run', '--rm', 'localhost/busybox:test', 'nonexist')).code).to.equal(127);
      expect((await cli('run', '--rm', 'localhost/busybox:test', '/etc/passwd')).code).to.equal(126);
      const before = (await runtime.containers.list()).length;
      const noUser = await cli('run', '--rm', '-u', 'nosuch', 'localhost/busybox:test', 'true');
      expect(noUser.code).to.equal(125);
      expect(noUser.stderr).to.include('unable to find user nosuch: no matching entries in passwd file');
      expect(await runtime.containers.list()).to.have.length(before); // --rm also after a failed start
      expect((await cli('run', '--rm', '--entrypoint', '', 'localhost/busybox:test')).code).to.equal(125);
      expect((await cli('run', '--rm', 'nope:latest')).code).to.equal(125);
    });

    it('binds host folders with -v, read-only with :ro', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tsbuild-vol-'));
      try {
        await writeFile(join(dir, 'in'), 'host\n');
        const run = await cli('run', '--rm', '-v', `${dir}:/data`, 'localhost/busybox:test', '--', 'sh', '-c', 'cat /data/in; echo out > /data/out');
        expect(run.stdout).to.equal('host\n');
        expect(await readFile(join(dir, 'out'), 'utf8')).to.equal('out\n');
        expect((await cli('run', '--rm', '-v', `${dir}:/data:ro`, 'localhost/busybox:test', '--', 'sh', '-c', 'echo x > /data/out')).code).to.not.equal(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('container filesystems', () => {
    it("keeps a container's writes to itself: not in the image, not in the next container", async () => {
      const write = await cli('run', '--name', 'writer', 'localhost/busybox:test', '--', 'sh', '-c', 'echo data > /newfile && rm /bin/vi && echo $(cat /newfile)');
      expect(write.stdout).to.equal('data\n');
      const next = await cli('run', '--rm', 'localhost/busybox:test', '--', 'sh', '-c', 'ls /newfile; ls /bin/vi');
      expect(next.stdout).to.equal('/bin/vi\n');
      expect(next.stderr).to.include('/newfile: No such file or directory');
      const record = await state('writer');
      expect(await readFile(join(runtime.containers.paths(record.Id).upper, 'newfile'), 'utf8')).to.equal('data\n');
    });

    it("exports the container's merged filesystem as a tar", async () => {
      const out = join(root, 'tmp', 'writer.tar');
      expect((await cli('export', '-o', out, 'writer')).code).to.equal(0);
      const names = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).split('\n');
      expect(names).to.include('newfile');
      expect(names).to.include('bin/sh');
      expect(names).to.not.include('bin/vi');
      expect(execFileSync('tar', ['-xOf', out, 'newfile'], { encoding: 'utf8' })).to.equal('data\n');
      expect(await mountsUnder(root)).to.deep.equal([]);
    });

    it('rmi refuses an image a container uses unless -f; rm frees it', async () => {
      await derive('probe:inuse', { Cmd: ['true'], Labels: { inuse: '1' } });
      expect((await cli('run', '--name', 'user', 'probe:inuse')).code).to.equal(0);
      const refused = await cli('rmi', 'probe:inuse');
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is being used by container [0-9a-f]{12}/);
      expect((await cli('ps', '-a')).stdout).to.match(/probe:inuse\s+"true"\s+.*Exited \(0\).*\suser\n/);
      expect((await cli('rm', 'user')).code).to.equal(0);
      expect((await cli('rmi', 'probe:inuse')).code).to.equal(0);
    });
  });

  describe('health checks and stopping', () => {
    it('turns healthy, then unhealthy, and prints the transitions with --health-log', async () => {
      const run = await cli('run', '--name', 'checked', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '300ms', '--health-retries', '2', '--health-log',
        'localhost/busybox:test', '--', 'sh', '-c', 'touch /tmp/ok; sleep 1.5; rm /tmp/ok; sleep 2');
      expect(run.code).to.equal(0);
      expect(run.stderr).to.equal('health: starting -> healthy\nhealth: healthy -> unhealthy\n');
      const health = (await state('checked')).State.Health!;
      expect(health.Status).to.equal('unhealthy');
      expect(health.FailingStreak).to.be.at.least(2);
      expect(health.Log.at(-1)).to.include({ ExitCode: 1 });
      await cli('rm', 'checked');
    });

    it("runs the image's HEALTHCHECK (CMD form) and keeps its output", async () => {
      await derive('probe:health', { Cmd: ['sleep', '5'], Healthcheck: { Test: ['CMD', 'echo', 'fine'], Interval: 200_000_000 } });
      const running = await startContainer(runtime, (await createContainer(runtime, 'probe:health', { autoRemove: true })).Id, { stdout: new PassThrough(), stderr: new PassThrough() });
      let during: ContainerRecord | undefined;
      const begin = Date.now();
      await until(async () => (during = await runtime.containers.read(running.id))?.State.Health?.Status === 'healthy');
      expect(Date.now() - begin).to.be.below(4000);
      expect(during!.State).to.include({ Status: 'running', Running: true });
      expect(during!.State.Pid).to.be.greaterThan(0);
      expect(during!.State.Health).to.deep.include({ Status: 'healthy', FailingStreak: 0 });
      expect(during!.State.Health!.Log[0]).to.include({ ExitCode: 0, Output: 'fine\n' });
      expect((await cli('ps')).stdout).to.include('(healthy)');
      expect(await running.exited).to.equal(0);
    });

    async function started(options: CreateOptions, image = 'localhost/busybox:test') {
      const stdout = new PassThrough();
      const chunks: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      const record = await createContainer(runtime, image, { autoRemove: true, ...options });
      const running = await startContainer(runtime, record.Id, { stdout, stderr: new PassThrough() });
      return { running, output: () => Buffer.concat(chunks).toString('utf8') };
    }


    it("stops with the image's STOPSIGNAL", async () => {
      await derive('probe:stopsig', { StopSignal: 'SIGUSR1' });
      const { running, output } = await started({ command: ['sh', '-c', 'trap "echo got USR1; exit 7" USR1; echo ready; while :; do sleep 0.1; done'] }, 'probe:stopsig');
      await until(() => output().includes('ready'));
      expect(await running.stop()).to.equal(7);
      expect(output()).to.equal('ready\ngot USR1\n');
      expect(await runtime.containers.read(running.id)).to.equal(undefined); // --rm
    });

    it('kills with SIGKILL (status 137) after the stop timeout when the signal is ignored', async () => {
      const { running, output } = await started({ command: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'], stopTimeoutSeconds: 1 });
      await until(() => output().includes('ready'));
      const begin = Date.now();
      expect(await running.stop()).to.equal(137);
      expect(Date.now() - begin).to.be.within(900, 5000);
    });

    it('runs detached, is listed by ps, and rm -f kills and removes it', async () => {
      const run = await cli('run', '-d', '--name', 'bg', 'localhost/busybox:test', '--', 'sh', '-c', 'echo detached; sleep 60');
      expect(run.code).to.equal(0);
      const id = run.stdout.trim();
      expect(id).to.match(/^[0-9a-f]{64}$/);
      expect((await cli('ps', '-q')).stdout).to.include(id.slice(0, 12));
      expect((await cli('rm', 'bg')).code).to.equal(1);
      await until(async () => (await cli('logs', 'bg')).stdout !== '');
      expect((await cli('logs', 'bg')).stdout).to.equal('detached\n');
      expect((await cli('rm', '-f', 'bg')).code).to.equal(0);
      expect((await cli('ps', '-aq', '--no-trunc')).stdout).to.not.include(id);
      expect(await mountsUnder(root)).to.deep.equal([]);
    });
  });
});
