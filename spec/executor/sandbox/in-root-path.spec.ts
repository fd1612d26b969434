// In-root resolution (SECURITY lesson 1): symlinks are followed as the kernel would inside a
// chroot of the rootfs, `..` stops at its root, and earlier mounts are looked through.
import { expect } from 'chai';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerComponents, resolveInRoot } from '../../../executor/sandbox/in-root-path.js';

describe('executor/sandbox/in-root-path', () => {
  let root: string;
  let outside: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-inroot-'));
    outside = await mkdtemp(join(tmpdir(), 'tsbuild-outside-'));
    await mkdir(join(root, 'etc'));
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await writeFile(join(root, 'etc/passwd'), '');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('cleans paths lexically and clamps leading .. at the root', () => {
    expect(containerComponents('/a/./b//c/')).to.deep.equal(['a', 'b', 'c']);
    expect(containerComponents('../../etc/../x')).to.deep.equal(['x']);
    expect(containerComponents('/')).to.deep.equal([]);
  });

  it('reports existing and missing components', async () => {
    const resolved = await resolveInRoot(root, '/etc/hosts');
    expect(resolved).to.deep.equal({ components: ['etc', 'hosts'], existing: 1, kind: 'dir' });
    expect(await resolveInRoot(root, '/usr/lib')).to.deep.equal({ components: ['usr', 'lib'], existing: 2, kind: 'dir' });
    expect((await resolveInRoot(root, '/etc/passwd')).kind).to.equal('file');
  });

  it('restarts absolute symlinks at the rootfs, never at the host root', async () => {
    await symlink(outside, join(root, 'escape'));
    await symlink('/usr/lib', join(root, 'lib'));
    expect((await resolveInRoot(root, '/escape/x')).components).to.deep.equal([...containerComponents(outside), 'x']);
    expect(await resolveInRoot(root, '/lib')).to.deep.equal({ components: ['usr', 'lib'], existing: 2, kind: 'dir' });
  });

  it('clamps .. inside relative symlinks at the rootfs root', async () => {
    await symlink('../../../../etc', join(root, 'usr/lib/up'));
    expect((await resolveInRoot(root, '/usr/lib/up/passwd')).components).to.deep.equal(['etc', 'passwd']);
  });

  it('resolves a dangling symlink to the path it names (runc creates the target)', async () => {
    await symlink('../run/systemd/resolve/stub-resolv.conf', join(root, 'etc/resolv.conf'));
    const resolved = await resolveInRoot(root, '/etc/resolv.conf');
    expect(resolved.components).to.deep.equal(['run', 'systemd', 'resolve', 'stub-resolv.conf']);
    expect(resolved.existing).to.equal(0);
  });

  it('fails on symlink loops and on paths through files', async () => {
    await symlink('b', join(root, 'a'));
    await symlink('a', join(root, 'b'));
    await expectError(resolveInRoot(root, '/a/x'), 'too many levels of symbolic links');
    await expectError(resolveInRoot(root, '/etc/passwd/x'), 'is not a directory');
  });

  it('looks through earlier bind mounts and treats tmpfs mounts as empty', async () => {
    await mkdir(join(outside, 'node_modules'));
    await symlink('/etc', join(outside, 'link'));
    const mounts = [{ target: ['src'], source: outside }, { target: ['scratch'] }];
    expect(await resolveInRoot(root, '/src/node_modules', mounts)).to.deep.equal({ components: ['src', 'node_modules'], existing: 2, kind: 'dir' });
    // A symlink inside a bind source still resolves inside the container, not on the host.
    expect((await resolveInRoot(root, '/src/link/passwd', mounts)).components).to.deep.equal(['etc', 'passwd']);
    expect(await resolveInRoot(root, '/scratch/a/b', mounts)).to.deep.equal({ components: ['scratch', 'a', 'b'], existing: 1, kind: 'dir' });
  });

  it('lets the last mount over a path win, as in the kernel', async () => {
    await mkdir(join(outside, 'only-in-bind'));
    const mounts = [{ target: ['a', 'b'] }, { target: ['a'], source: outside }];
    expect((await resolveInRoot(root, '/a/only-in-bind', mounts)).existing).to.equal(2);
  });
});

async function expectError(promise: Promise<unknown>, message: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.contain(message);
    return;
  }
  expect.fail(`expected an error containing "${message}"`);
}
