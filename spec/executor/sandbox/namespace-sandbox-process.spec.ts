// The namespace sandbox runs one process as the spec says: exit status, output streaming, stdin,
// environment, cwd, ids, hostname and the generated /etc files (which never land in the rootfs).
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NamespaceSandbox } from '../../../executor/sandbox/namespace-sandbox.js';
import { busyboxSpec, makeRootfs, makeStagingBase, removeDir, requireRoot, runCaptured, sandboxLeftovers, TextSink } from './sandbox-harness.js';

describe('executor/sandbox/namespace-sandbox: running a process', function () {
  this.timeout(30_000);
  let sandbox: NamespaceSandbox;
  let rootfs: string;
  let staging: string;

  before(async function () {
    requireRoot(this);
    rootfs = await makeRootfs();
    staging = await makeStagingBase();
    sandbox = new NamespaceSandbox({ stagingBase: staging });
  });

  after(async () => {
    await removeDir(rootfs);
    await removeDir(staging);
  });

  afterEach(async function () {
    if (rootfs) expect(await sandboxLeftovers(rootfs, staging)).to.deep.equal([]);
  });

  const sh = (script: string, overrides = {}) => busyboxSpec(rootfs, { args: ['sh', '-c', script], ...overrides });

  it('[root] reports the exit status, and 127 for a command that does not exist', async () => {
    expect((await runCaptured(sandbox, sh('exit 0'))).exitCode).to.equal(0);
    expect((await runCaptured(sandbox, sh('exit 3'))).exitCode).to.equal(3);
    expect((await runCaptured(sandbox, busyboxSpec(rootfs, { args: ['false'] }))).exitCode).to.equal(1);
    const missing = await runCaptured(sandbox, busyboxSpec(rootfs, { args: ['no-such-command'] }));
    expect(missing.exitCode).to.equal(127);
    expect(missing.stderr).to.contain('no-such-command');
  });

  it('[root] keeps stdout and stderr apart and streams them as they come', async () => {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const started = Date.now();
    await sandbox.run(sh('echo out; echo err >&2; sleep 1; echo late'), { stdout, stderr });
    expect(stdout.text()).to.equal('out\nlate\n');
    expect(stderr.text()).to.equal('err\n');
    // The first line arrived long before the process ended: not buffered until exit.
    expect(stdout.arrivals[0]! - started).to.be.lessThan(Date.now() - started - 800);
  });

  it('[root] feeds stdin when given, and /dev/null otherwise', async () => {
    const fed = await runCaptured(sandbox, busyboxSpec(rootfs, { args: ['cat'] }), { stdin: Readable.from(['hello ', 'sandbox\n']) });
    expect(fed.stdout).to.equal('hello sandbox\n');
    const ignored = await runCaptured(sandbox, busyboxSpec(rootfs, { args: ['cat'] }));
    expect(ignored).to.include({ exitCode: 0, stdout: '' });
  });

  it('[root] gives the process exactly the spec\'s environment, even keys a shell would not export', async () => {
    const env = ['PATH=/bin', 'my.var=a b', 'QUOTE=x"y$HOME', 'EMPTY=', '-dash=1'];
    const result = await runCaptured(sandbox, busyboxSpec(rootfs, { args: ['env'], env }));
    expect(result.stdout.split('\n').filter(Boolean)).to.deep.equal(env);
  });

  it('[root] resolves argv[0] with the spec\'s PATH inside the rootfs', async () => {
    await mkdir(join(rootfs, 'opt/tools'), { recursive: true });
    const found = await runCaptured(sandbox, busyboxSpec(rootfs, { args: ['echo', 'found'], env: ['PATH=/opt/tools:/bin'] }));
    expect(found.stdout).to.equal('found\n');
    const notFound = await runCaptured(sandbox, busyboxSpec(rootfs, { args: ['echo', 'x'], env: ['PATH=/opt/tools'] }));
    expect(notFound.exitCode).to.equal(127);
  });

  it('[root] creates a missing cwd owned by the step\'s user, like BuildKit', async () => {
    const result = await runCaptured(sandbox, sh('pwd; stat -c %u:%g /work /work/a/b', { cwd: '/work/a/b', uid: 1000, gid: 1001 }));
    expect(result.stdout).to.equal('/work/a/b\n1000:1001\n1000:1001\n');
    const existing = await runCaptured(sandbox, sh('pwd; stat -c %u /etc', { cwd: '/etc', uid: 1000, gid: 1000 }));
    expect(existing.stdout).to.equal('/etc\n0\n');
  });

  it('[root] sets uid, gid and supplementary groups', async () => {
    const result = await runCaptured(sandbox, sh('id -u; id -g; id -G', { uid: 1000, gid: 1001, additionalGids: [20, 30] }));
    expect(result.stdout).to.equal('1000\n1001\n1001 20 30\n');
    const none = await runCaptured(sandbox, sh('id -G', { uid: 1000, gid: 1000 }));
    expect(none.stdout).to.equal('1000\n');
  });

  it('[root] sets the hostname and generates /etc/hosts, /etc/resolv.conf and /etc/hostname', async () => {
    const extraHosts = [{ name: 'db.internal', ip: '10.1.2.3' }];
    const spec = (script: string) => sh(script, { hostname: 'stepbox', extraHosts });
    expect((await runCaptured(sandbox, spec('hostname; cat /etc/hostname'))).stdout).to.equal('stepbox\nstepbox\n');
    expect((await runCaptured(sandbox, spec('cat /etc/hosts'))).stdout).to.equal(
      '127.0.0.1\tlocalhost stepbox\n::1\tlocalhost ip6-localhost ip6-loopback\n10.1.2.3\tdb.internal\n',
    );
    expect((await runCaptured(sandbox, spec('grep -c ^nameserver /etc/resolv.conf'))).stdout).to.match(/^[1-9]\d*\n$/);
    const readOnly = await runCaptured(sandbox, spec('echo 1.2.3.4 evil >> /etc/hosts'));
    expect(readOnly.stderr).to.contain('Read-only file system');
  });

  it('[root] runs on a pseudo-terminal when asked: stdout and stderr merge, input is echoed', async () => {
    const result = await runCaptured(sandbox, sh('test -t 0 && test -t 1 && echo on-a-tty; echo to-stderr >&2; read line; echo "read $line"; exit 4'), {
      tty: true,
      stdin: Readable.from(['typed\n']),
    });
    expect(result.exitCode).to.equal(4);
    expect(result.stderr).to.equal('');
    expect(result.stdout.replaceAll('\r\n', '\n').split('\n')).to.include.members(['on-a-tty', 'to-stderr', 'typed', 'read typed']);
  });

  it('[root] removes its stubs but keeps /proc, /dev and /sys as mount points, as runc does (BuildKit 0.13 layers show both)', async () => {
    const past = new Date('2020-01-01T00:00:00Z');
    await utimes(join(rootfs, 'etc'), past, past);
    const result = await runCaptured(sandbox, sh('test -s /etc/hosts && test -d /proc/self && test -c /dev/null && test -d /sys/kernel'));
    expect(result.exitCode).to.equal(0);
    for (const stub of ['etc/hosts', 'etc/resolv.conf', 'etc/hostname']) expect(existsSync(join(rootfs, stub)), stub).to.equal(false);
    for (const point of ['proc', 'dev', 'sys']) expect(await readdir(join(rootfs, point)), point).to.deep.equal([]);
    expect((await readdir(join(rootfs, 'etc'))).sort()).to.deep.equal(['group', 'passwd']);
    // The folder the stubs were made in keeps its new mtime, so the step's layer holds it.
    expect((await stat(join(rootfs, 'etc'))).mtime.getTime()).to.be.above(past.getTime());
  });

  it('[root] keeps what the step wrote, including into a folder that was only a stub', async () => {
    const result = await runCaptured(sandbox, sh('mkdir -p /data && echo kept > /data/file && echo x > /dev/made-in-dev'));
    expect(result.exitCode).to.equal(0);
    expect(existsSync(join(rootfs, 'data/file'))).to.equal(true);
    expect(await readdir(join(rootfs, 'dev'))).to.deep.equal([]);
  });
});
