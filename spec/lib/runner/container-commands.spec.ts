// Container commands end to end [root]: HEALTHCHECK inside the container, stop/start/restart,
// exec, -p and inspect, through the CLI on busybox images in the namespace sandbox. Expected shapes
// were taken from docker 26 on the same busybox image: `docker inspect` key order and State fields,
// `docker ps` STATUS "(health: starting)"/"(healthy)"/"(unhealthy)", `docker exec` env/user/workdir,
// stop/start/restart printing the name given, exec in a stopped container failing with status 1.
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootLayout } from '../../../cache/root.js';
import type { ContainerConfig } from '../../../executor/image-config.js';
import { openRuntime } from '../../../lib/runner/runtime.js';
import type { Runtime } from '../../../lib/runner/run-container.js';
import { importBusybox } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';

const BUSYBOX = 'localhost/busybox:test';

function fetchText(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

describe('lib/runner container commands [root]', function () {
  this.timeout(120_000);
  let root: string;
  let runtime: Runtime;
  const cli = (...args: string[]) => runCli(['--root', root, ...args]);

  async function derive(tag: string, config: ContainerConfig): Promise<void> {
    const base = await runtime.images.resolve(BUSYBOX);
    await runtime.images.commitImage({ ...base.config, config: { ...base.config.config, ...config } }, base.layers, { tags: [tag] });
  }

  /** Polls `check` until true; returns the milliseconds it took (or fails after `limitMs`). */
  async function within(limitMs: number, check: () => Promise<boolean>): Promise<number> {
    const begin = Date.now();
    while (!(await check())) {
      if (Date.now() - begin > limitMs) throw new Error(`not within ${limitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Date.now() - begin;
  }

  async function inspect(name: string): Promise<Record<string, any>> {
    const out = await cli('inspect', '--type', 'container', name);
    expect(out.code, out.stderr).to.equal(0);
    return (JSON.parse(out.stdout) as Record<string, any>[])[0]!;
  }

  const status = async (name: string): Promise<string> => (await cli('inspect', '-f', '{{.State.Status}}', name)).stdout.trim();

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-ctr-cmds-'));
    await importBusybox(root);
    runtime = await openRuntime(rootLayout(root));
  });

  after(async () => {
    for (const record of await runtime.containers.list()) await cli('rm', '-f', record.Id);
    expect((await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.includes(root))).to.deep.equal([]);
    await rm(root, { recursive: true, force: true });
  });

  describe('HEALTHCHECK', () => {
    it('turns healthy within the interval when the check passes inside the container (it sees pid 1)', async () => {
      // In the container's pid namespace /proc/1 is the container's `sleep`; a sibling sandbox would see itself.
      await derive('probe:healthy', { Cmd: ['sleep', '60'], Healthcheck: { Test: ['CMD-SHELL', 'grep -q sleep /proc/1/cmdline && echo inside'], Interval: 300_000_000 } });
      expect((await cli('run', '-d', '--name', 'good', 'probe:healthy')).code).to.equal(0);
      expect((await cli('ps')).stdout).to.match(/Up .* \(health: starting\)\s+good\n/);
      const took = await within(4000, async () => (await cli('inspect', '-f', '{{.State.Health.Status}}', 'good')).stdout === 'healthy\n');
      expect(took).to.be.below(4000);
      expect((await cli('ps')).stdout).to.match(/Up .* \(healthy\)\s+good\n/);
      const health = (await inspect('good')).State.Health;
      expect(Object.keys(health)).to.deep.equal(['Status', 'FailingStreak', 'Log']);
      expect(health).to.include({ Status: 'healthy', FailingStreak: 0 });
      expect(Object.keys(health.Log[0])).to.deep.equal(['Start', 'End', 'ExitCode', 'Output']);
      expect(health.Log[0]).to.include({ ExitCode: 0, Output: 'inside\n' });
    });

    it('turns unhealthy after --retries failures, keeping the last five results', async () => {
      await derive('probe:unhealthy', { Cmd: ['sleep', '60'], Healthcheck: { Test: ['CMD-SHELL', 'echo failing; exit 1'], Interval: 300_000_000, Retries: 2 } });
      expect((await cli('run', '-d', '--name', 'bad', 'probe:unhealthy')).code).to.equal(0);
      await within(5000, async () => (await cli('inspect', '-f', '{{.State.Health.Status}}', 'bad')).stdout === 'unhealthy\n');
      expect((await cli('ps')).stdout).to.match(/Up .* \(unhealthy\)\s+bad\n/);
      await within(5000, async () => (await inspect('bad')).State.Health.Log.length === 5);
      const health = (await inspect('bad')).State.Health;
      expect(health.FailingStreak).to.be.at.least(5);
      expect(health.Log.at(-1)).to.include({ ExitCode: 1, Output: 'failing\n' });
      expect((await cli('rm', '-f', 'good', 'bad')).code).to.equal(0);
    });
  });

  describe('stop, start, restart', () => {
    it("stop delivers the image's STOPSIGNAL, which the process traps (marker on a bind mount)", async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tsbuild-stop-'));
      try {
        await derive('probe:usr1', { StopSignal: 'SIGUSR1', Cmd: ['sh', '-c', 'trap "echo got USR1 > /out/marker; exit 7" USR1; echo up > /out/ready; while :; do sleep 0.1; done'] });
        expect((await cli('run', '-d', '--name', 'trapper', '-v', `${dir}:/out`, 'probe:usr1')).code).to.equal(0);
        await within(10_000, () => readFile(join(dir, 'ready'), 'utf8').then(() => true, () => false));
        const stop = await cli('stop', 'trapper');
        expect(stop).to.include({ code: 0, stdout: 'trapper\n' });
        expect(await readFile(join(dir, 'marker'), 'utf8')).to.equal('got USR1\n');
        const state = (await inspect('trapper')).State;
        expect(state).to.include({ Status: 'exited', Running: false, ExitCode: 7, Pid: 0 });
        expect(state.FinishedAt).to.not.equal('0001-01-01T00:00:00Z');
      } finally {
        await cli('rm', '-f', 'trapper');
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('stop -t 1 kills with SIGKILL (137) when the signal is ignored; stopping a stopped container is a no-op', async () => {
      expect((await cli('run', '-d', '--name', 'stubborn', BUSYBOX, 'sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done')).code).to.equal(0);
      await within(10_000, async () => (await inspect('stubborn')).State.Pid > 0);
      const begin = Date.now();
      expect((await cli('stop', '-t', '1', 'stubborn')).code).to.equal(0);
      expect(Date.now() - begin).to.be.within(900, 6000);
      expect((await inspect('stubborn')).State.ExitCode).to.equal(137);
      expect(await cli('stop', 'stubborn')).to.include({ code: 0, stdout: 'stubborn\n' });
      const missing = await cli('stop', 'nosuch');
      expect(missing).to.include({ code: 1, stderr: 'Error response from daemon: No such container: nosuch\n' });
    });

    it('start runs a stopped container again on the same filesystem; restart stops and starts it', async () => {
      const command = 'echo run >> /runs; trap "exit 0" TERM; while :; do sleep 0.1; done';
      expect((await cli('run', '-d', '--name', 'again', BUSYBOX, 'sh', '-c', command)).code).to.equal(0);
      await within(10_000, async () => (await inspect('again')).State.Pid > 0);
      expect((await cli('stop', 'again')).code).to.equal(0);
      expect(await status('again')).to.equal('exited');
      expect(await cli('start', 'again')).to.include({ code: 0, stdout: 'again\n' });
      expect(await status('again')).to.equal('running');
      await within(10_000, async () => (await inspect('again')).State.Pid > 0);
      expect((await cli('exec', 'again', 'cat', '/runs')).stdout).to.equal('run\nrun\n');
      const before = (await inspect('again')).State;
      expect(await cli('restart', '-t', '2', 'again')).to.include({ code: 0, stdout: 'again\n' });
      await within(10_000, async () => (await inspect('again')).State.Pid > 0);
      const after = (await inspect('again')).State;
      expect(after.Running).to.equal(true);
      expect(after.StartedAt > before.StartedAt).to.equal(true);
      expect(after.Pid).to.not.equal(before.Pid);
      expect((await cli('exec', 'again', 'cat', '/runs')).stdout).to.equal('run\nrun\nrun\n');
      expect((await cli('rm', '-f', 'again')).code).to.equal(0);
    });
  });

  describe('exec', () => {
    before(async () => {
      expect((await cli('run', '-d', '--name', 'target', '-e', 'FROM_RUN=1', BUSYBOX, 'sh', '-c', 'echo made > /made; exec sleep 60')).code).to.equal(0);
      await within(10_000, async () => (await inspect('target')).State.Pid > 0);
    });

    it("sees the container's processes and files", async () => {
      expect((await cli('exec', 'target', 'cat', '/proc/1/cmdline')).stdout).to.equal('sleep\u000060\u0000');
      const ps = (await cli('exec', 'target', 'ps', '-o', 'pid,args')).stdout.split('\n').map((line) => line.trim());
      expect(ps).to.include('1 sleep 60');
      expect((await cli('exec', 'target', 'cat', '/made')).stdout).to.equal('made\n');
      expect((await cli('exec', 'target', 'hostname')).stdout.trim()).to.equal((await inspect('target')).Config.Hostname);
    });

    it("uses the container's env, user and workdir unless -e, -u, -w say otherwise (as docker exec)", async () => {
      const env = (await cli('exec', 'target', 'env')).stdout;
      expect(env).to.match(/^PATH=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin\nHOSTNAME=[0-9a-f]{12}\nFROM_RUN=1\nHOME=\/root\n$/);
      const custom = await cli('exec', '-u', 'nobody', '-w', '/tmp', '-e', 'X=1', 'target', 'sh', '-c', 'id; pwd; echo $X $HOME');
      expect(custom.stdout).to.equal('uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n/tmp\n1 /nonexistent\n');
    });

    it("returns the command's status, reads stdin with -i, and fails on a stopped container", async () => {
      expect((await cli('exec', 'target', 'sh', '-c', 'exit 5')).code).to.equal(5);
      expect((await cli('exec', 'target', 'nonexist')).code).to.equal(127);
      expect((await runCli(['--root', root, 'exec', '-i', 'target', 'cat'], { stdin: 'piped\n' })).stdout).to.equal('piped\n');
      expect((await cli('stop', '-t', '0', 'target')).code).to.equal(0);
      const stopped = await cli('exec', 'target', 'true');
      expect(stopped.code).to.equal(1);
      expect(stopped.stderr).to.match(/^Error response from daemon: container [0-9a-f]{64} is not running\n$/);
      await cli('rm', 'target');
    });
  });

  describe('-p', () => {
    it('relays a host port to a container port on the shared host network, shown in ps and inspect', async () => {
      const run = await cli('run', '-d', '--name', 'web', '-p', '18080:18079', BUSYBOX, 'sh', '-c', 'mkdir /www && echo shared-net > /www/index.html && exec httpd -f -p 18079 -h /www');
      expect(run.code, run.stderr).to.equal(0);
      await within(10_000, () => fetchText(18080).then((text) => text === 'shared-net\n', () => false));
      expect((await cli('ps')).stdout).to.match(/ 0\.0\.0\.0:18080->18079\/tcp, \[::\]:18080->18079\/tcp\s+web\n/);
      const json = await inspect('web');
      expect(json.HostConfig.PortBindings).to.deep.equal({ '18079/tcp': [{ HostIp: '', HostPort: '18080' }] });
      expect(json.NetworkSettings.Ports['18079/tcp'][0]).to.deep.equal({ HostIp: '0.0.0.0', HostPort: '18080' });
      expect((await cli('stop', '-t', '1', 'web')).code).to.equal(0); // httpd as pid 1 has no TERM handler
      expect(await fetchText(18080).then(() => 'open', () => 'closed')).to.equal('closed');
      expect((await inspect('web')).NetworkSettings.Ports).to.deep.equal({});
      await cli('rm', 'web');
    });

    it('-p 18080:80 reaches busybox httpd on port 80 of a --network none container', async () => {
      const run = await cli('run', '-d', '--name', 'isolated', '--network', 'none', '-p', '18080:80', BUSYBOX, 'sh', '-c', 'mkdir /www && echo own-net > /www/index.html && exec httpd -f -p 80 -h /www');
      expect(run.code, run.stderr).to.equal(0);
      await within(10_000, () => fetchText(18080).then((text) => text === 'own-net\n', () => false));
      expect((await cli('rm', '-f', 'isolated')).code).to.equal(0);
      expect(await fetchText(18080).then(() => 'open', () => 'closed')).to.equal('closed');
    });

    it("fails the run with docker's message when the host port is taken", async () => {
      expect((await cli('run', '-d', '--name', 'holder', '-p', '18083:18084', BUSYBOX, 'sleep', '30')).code).to.equal(0);
      const second = await cli('run', '--rm', '-p', '18083:18085', BUSYBOX, 'true');
      expect(second.code).to.equal(125);
      expect(second.stderr).to.include('Bind for 0.0.0.0:18083 failed: port is already allocated');
      await cli('rm', '-f', 'holder');
    });
  });

  describe('inspect', () => {
    it('shows a container in docker\'s shape and finds containers before images', async () => {
      expect((await cli('run', '--name', 'shape', '-e', 'A=b', '-p', '127.0.0.1:18086:80', BUSYBOX, 'echo', 'hi')).code).to.equal(0);
      const json = await inspect('shape');
      expect(Object.keys(json)).to.deep.equal(['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'Name', 'RestartCount', 'Platform', 'HostConfig', 'Mounts', 'Config', 'NetworkSettings']);
      expect(Object.keys(json.State)).to.deep.equal(['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'Pid', 'ExitCode', 'Error', 'StartedAt', 'FinishedAt']);
      expect(json).to.include({ Path: 'echo', Name: '/shape' });
      expect(json.Args).to.deep.equal(['hi']);
      expect(json.Image).to.equal((await runtime.images.resolve(BUSYBOX)).id);
      expect(json.Config).to.include({ Image: BUSYBOX, User: '', WorkingDir: '', Tty: false, Entrypoint: null });
      expect(json.Config.Cmd).to.deep.equal(['echo', 'hi']);
      expect(json.Config.Env).to.include('A=b');
      expect(json.Config.ExposedPorts).to.deep.equal({ '80/tcp': {} });
      expect(json.HostConfig.PortBindings).to.deep.equal({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18086' }] });
      expect((await cli('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.Name}}', 'shape')).stdout).to.equal('exited 0 /shape\n');
      expect((await cli('inspect', '-f', '{{.Id}}', BUSYBOX)).stdout.trim()).to.equal(json.Image);
      const wrongType = await cli('inspect', '--type', 'image', 'shape');
      expect(wrongType).to.include({ code: 1, stderr: 'Error: No such image: shape\n' });
      await cli('rm', 'shape');
    });
  });
});
