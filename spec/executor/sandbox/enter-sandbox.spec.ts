// enterSandbox [root]: a second process inside a running sandbox gets the sandbox's namespaces and
// cgroup, but only the credentials, capability bounding set, environment and descriptors it is
// given, like the sandbox's own process (SECURITY: no host privileges leak in through exec).
import { expect } from 'chai';
import { DEFAULT_CAPABILITY_MASK } from '../../../executor/sandbox/capabilities.js';
import { enterSandbox, type EnterSpec } from '../../../executor/sandbox/enter-sandbox.js';
import { NamespaceSandbox } from '../../../executor/sandbox/namespace-sandbox.js';
import { findContainerPid } from '../../../lib/runner/container-process.js';
import { busyboxSpec, makeRootfs, makeStagingBase, removeDir, requireRoot, sandboxLeftovers, TextSink } from './sandbox-harness.js';

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

describe('executor/sandbox/enter-sandbox [root]', function () {
  this.timeout(60_000);
  let rootfs: string;
  let stagingBase: string;
  let pid: number;
  let stop: AbortController;
  let running: Promise<unknown>;

  before(async function () {
    requireRoot(this);
    rootfs = await makeRootfs();
    stagingBase = await makeStagingBase();
    const sandbox = new NamespaceSandbox({ stagingBase });
    const hostname = `enter${process.pid}`;
    stop = new AbortController();
    const spec = busyboxSpec(rootfs, { args: ['sh', '-c', 'echo inside > /tmp/file; exec sleep 30'], hostname, network: 'none' });
    running = sandbox.run(spec, { stdout: new TextSink(), stderr: new TextSink() }, stop.signal).catch(() => undefined);
    for (let i = 0; i < 200; i++) {
      const found = await findContainerPid(hostname);
      if (found !== undefined) {
        pid = found;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(pid).to.be.greaterThan(0);
  });

  after(async () => {
    stop?.abort();
    await running;
    if (rootfs) expect(await sandboxLeftovers(rootfs, stagingBase)).to.deep.equal([]);
    await removeDir(rootfs);
    await removeDir(stagingBase);
  });

  async function enter(args: string[], overrides: Partial<EnterSpec> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const result = await enterSandbox(pid, { args, env: [PATH], cwd: '/', uid: 0, gid: 0, additionalGids: [], ...overrides }, { stdout, stderr });
    return { exitCode: result.exitCode, stdout: stdout.text(), stderr: stderr.text() };
  }

  it("joins the sandbox's pid, mount, UTS and network namespaces", async () => {
    const out = await enter(['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; cat /tmp/file; hostname; ls /sys/class/net']);
    expect(out.stdout).to.equal(`sleep 30 \ninside\nenter${process.pid}\nlo\n`);
  });

  it('has exactly the given environment, credentials, cwd and the sandbox bounding set', async () => {
    const env = await enter(['env'], { env: [PATH, 'ONLY=this'], uid: 65534, gid: 65534, cwd: '/tmp' });
    expect(env.stdout).to.equal(`${PATH}\nONLY=this\n`);
    const out = await enter(['sh', '-c', 'id; pwd; grep CapBnd /proc/self/status'], { uid: 65534, gid: 65534, cwd: '/tmp' });
    expect(out.stdout).to.equal(`uid=65534(nobody) gid=65534(nogroup)\n/tmp\nCapBnd:\t${DEFAULT_CAPABILITY_MASK}\n`);
  });

  it('passes no descriptor beyond stdio, joins the cgroup, and returns the exit status', async () => {
    const fds = await enter(['ls', '/proc/self/fd']);
    expect(fds.stdout.split('\n').filter(Boolean).map(Number).filter((fd) => fd > 3)).to.deep.equal([]);
    const [theirs, ours] = await Promise.all([
      enter(['cat', '/proc/self/cgroup']),
      import('node:fs/promises').then((fs) => fs.readFile(`/proc/${pid}/cgroup`, 'utf8')),
    ]);
    expect(theirs.stdout).to.equal(ours);
    expect((await enter(['sh', '-c', 'exit 9'])).exitCode).to.equal(9);
    expect((await enter(['nonexist'])).exitCode).to.equal(127);
  });

  it('refuses a pid that is not a sandbox', async () => {
    const error = await enterSandbox(process.pid, { args: ['true'], env: [], cwd: '/', uid: 0, gid: 0, additionalGids: [] }, { stdout: new TextSink(), stderr: new TextSink() }).catch((e: Error) => e);
    expect((error as Error).message).to.match(/is not the first process of a running sandbox/);
  });
});
