// Caller mounts: bind (read-only or not, folders and files), tmpfs, nested targets, targets
// through symlinks (resolved inside the rootfs, never on the host), the read-only rootfs, and the
// mount-stub teardown attack (BuildKit CVE-2024-23652, SECURITY E8).
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NamespaceSandbox } from '../../../executor/sandbox/namespace-sandbox.js';
import { busyboxSpec, makeRootfs, makeStagingBase, removeDir, requireRoot, runCaptured, sandboxLeftovers } from './sandbox-harness.js';

describe('executor/sandbox/namespace-sandbox: mounts', function () {
  this.timeout(30_000);
  let sandbox: NamespaceSandbox;
  let rootfs: string;
  let source: string;
  let staging: string;

  before(async function () {
    requireRoot(this);
    staging = await makeStagingBase();
    sandbox = new NamespaceSandbox({ stagingBase: staging });
  });

  after(async () => removeDir(staging));

  beforeEach(async function () {
    requireRoot(this);
    rootfs = await makeRootfs();
    source = await mkdtemp(join(tmpdir(), 'tsbuild-spec-source-'));
    await writeFile(join(source, 'hello'), 'hello from the host\n');
  });

  afterEach(async function () {
    if (!rootfs) return;
    const leftovers = await sandboxLeftovers(rootfs, staging);
    await removeDir(rootfs);
    await removeDir(source);
    expect(leftovers).to.deep.equal([]);
  });

  const sh = (script: string, overrides = {}) => busyboxSpec(rootfs, { args: ['sh', '-c', script], ...overrides });

  it('[root] binds a folder read-only or read-write, and never lets device nodes work in it', async () => {
    const ro = await runCaptured(sandbox, sh('cat /src/hello; touch /src/new 2>&1; true', { mounts: [{ type: 'bind', source, target: '/src', readonly: true }] }));
    expect(ro.stdout).to.equal('hello from the host\ntouch: /src/new: Read-only file system\n');
    const rw = await runCaptured(sandbox, sh('echo written > /cache/out; mknod /cache/zero c 1 5; head -c1 /cache/zero 2>&1 | grep -c denied', { mounts: [{ type: 'bind', source, target: '/cache' }] }));
    expect(rw.stdout).to.equal('1\n');
    expect(await readFile(join(source, 'out'), 'utf8')).to.equal('written\n');
    expect(existsSync(join(rootfs, 'cache'))).to.equal(false);
  });

  it('[root] binds a single file to a path whose folders do not exist, then removes those stubs', async () => {
    const secret = join(source, 'hello');
    const result = await runCaptured(sandbox, sh('cat /run/secrets/token; ls -ld /run/secrets | cut -c1-10', { mounts: [{ type: 'bind', source: secret, target: '/run/secrets/token', readonly: true }] }));
    expect(result.stdout).to.equal('hello from the host\ndrwxr-xr-x\n');
    expect(existsSync(join(rootfs, 'run'))).to.equal(false);
  });

  it('[root] mounts a tmpfs with a size limit', async () => {
    const result = await runCaptured(sandbox, sh('df -k /scratch | tail -1 | awk "{print \\$2}"; dd if=/dev/zero of=/scratch/f bs=1k count=200 2>&1 | grep -c "No space"', { mounts: [{ type: 'tmpfs', target: '/scratch', size: 100 * 1024 }] }));
    expect(result.stdout).to.equal('100\n1\n');
  });

  it('[root] resolves nested targets through the mounts before them', async () => {
    await mkdir(join(source, 'sub'));
    const mounts = [
      { type: 'bind' as const, source, target: '/src', readonly: true },
      { type: 'tmpfs' as const, target: '/src/node_modules' },
      { type: 'tmpfs' as const, target: '/src/node_modules/.cache/deep' },
      { type: 'tmpfs' as const, target: '/src/sub/x' },
    ];
    const result = await runCaptured(sandbox, sh('cat /src/hello && touch /src/node_modules/ok /src/node_modules/.cache/deep/ok /src/sub/x/ok && echo writable', { mounts }));
    expect(result.stdout).to.equal('hello from the host\nwritable\n');
    // Stubs made in the host source for the run are gone again.
    expect((await readdir(source)).sort()).to.deep.equal(['hello', 'sub']);
    expect(await readdir(join(source, 'sub'))).to.deep.equal([]);
  });

  it('[root] follows symlinked targets inside the rootfs, never onto the host', async () => {
    const hostTarget = await mkdtemp(join(tmpdir(), 'tsbuild-spec-target-'));
    try {
      await mkdir(join(rootfs, 'var/data'), { recursive: true });
      await symlink('/var/data', join(rootfs, 'data'));
      await symlink(hostTarget, join(rootfs, 'escape'));
      const mounts = [
        { type: 'bind' as const, source, target: '/data', readonly: true },
        { type: 'tmpfs' as const, target: '/escape' },
      ];
      const result = await runCaptured(sandbox, sh(`cat /var/data/hello; grep -c " ${hostTarget} tmpfs" /proc/mounts`, { mounts }));
      expect(result.stdout).to.equal('hello from the host\n1\n');
      expect(await readdir(hostTarget)).to.deep.equal([]);
      // The tmpfs landed at the same path inside the rootfs, whose stubs are gone again.
      expect(existsSync(join(rootfs, hostTarget))).to.equal(false);
    } finally {
      await removeDir(hostTarget);
    }
  });

  it('[root] makes the rootfs read-only on request, mounts excepted', async () => {
    const result = await runCaptured(sandbox, sh('touch /tmp/x 2>&1; touch /scratch/x && echo tmpfs-ok; pwd', { readonlyRootfs: true, cwd: '/new/dir', mounts: [{ type: 'tmpfs', target: '/scratch' }] }));
    expect(result.stdout).to.equal('touch: /tmp/x: Read-only file system\ntmpfs-ok\n/new/dir\n');
  });

  it('[root] never removes host files through a stub parent the step replaced with a symlink (CVE-2024-23652)', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'tsbuild-spec-victim-'));
    try {
      await mkdir(join(hostDir, 'b/c'), { recursive: true });
      await writeFile(join(hostDir, 'b/c-file'), '');
      const mounts = [{ type: 'tmpfs' as const, target: '/a/b/c' }];
      const result = await runCaptured(sandbox, sh(`mv /a /moved && ln -s ${hostDir} /a && echo swapped`, { mounts }));
      expect(result.stdout).to.equal('swapped\n');
      expect(existsSync(join(hostDir, 'b/c'))).to.equal(true);
      expect(existsSync(join(hostDir, 'b/c-file'))).to.equal(true);
    } finally {
      await removeDir(hostDir);
    }
  });

  it('[root] fails setup, with nothing left behind, for a missing bind source or a symlinked /proc', async () => {
    const missing = sandbox.run(sh('true', { mounts: [{ type: 'bind', source: join(source, 'nope'), target: '/x' }] }), { stdout: process.stdout, stderr: process.stderr });
    await expectCode(missing, 'E_STEP', /bind source .* is not a directory, regular file or socket/);
    // Earlier runs left /proc as a mount point (as runc does); replace it with the symlink.
    await rm(join(rootfs, 'proc'), { recursive: true, force: true });
    await symlink('/tmp', join(rootfs, 'proc'));
    await expectCode(sandbox.run(sh('true'), { stdout: process.stdout, stderr: process.stderr }), 'E_STEP', /\/proc must be a directory/);
  });
});

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.have.property('code', code);
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected ${code}`);
}
