// Mount stubs: created for missing mount points, removed after the run only while they are still
// ours and empty (BuildKit CVE-2024-23652, SECURITY E8). These run as any user: no mounts needed.
import { expect } from 'chai';
import { lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInRoot } from '../../../executor/sandbox/in-root-path.js';
import { MountStubs } from '../../../executor/sandbox/mount-stubs.js';

describe('executor/sandbox/mount-stubs', () => {
  let root: string;
  let host: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-stubs-'));
    host = await mkdtemp(join(tmpdir(), 'tsbuild-stubs-host-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(host, { recursive: true, force: true });
  });

  async function stub(stubs: MountStubs, path: string, kind: 'dir' | 'file'): Promise<void> {
    await stubs.ensure(await resolveInRoot(root, path), kind, []);
  }

  it('creates missing directories and the final file, and removes all of them afterwards', async () => {
    const stubs = new MountStubs(root);
    await stub(stubs, '/etc/hosts', 'file');
    await stub(stubs, '/a/b/c', 'dir');
    expect((await stat(join(root, 'etc/hosts'))).isFile()).to.equal(true);
    expect((await stat(join(root, 'a/b/c'))).isDirectory()).to.equal(true);
    expect(await stubs.cleanup()).to.deep.equal([]);
    expect(await readdir(root)).to.deep.equal([]);
  });

  it('keeps a stub the step filled, and its parents', async () => {
    const stubs = new MountStubs(root);
    await stub(stubs, '/etc/hosts', 'file');
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0::/:/bin/sh\n');
    await stubs.cleanup();
    expect(await readdir(join(root, 'etc'))).to.deep.equal(['passwd']);
  });

  it('never follows a parent the step replaced with a symlink to a host folder (CVE-2024-23652)', async () => {
    const stubs = new MountStubs(root);
    await stub(stubs, '/a/b/c', 'dir');
    // The step: rm -rf /a; ln -s $HOST /a, where $HOST has an empty b/c of its own.
    await rm(join(root, 'a'), { recursive: true });
    await mkdir(join(host, 'b/c'), { recursive: true });
    await symlink(host, join(root, 'a'));
    const kept = await stubs.cleanup();
    expect((await stat(join(host, 'b/c'))).isDirectory()).to.equal(true);
    expect((await lstat(join(root, 'a'))).isSymbolicLink()).to.equal(true);
    expect(kept).to.have.length(3);
  });

  it('never removes a symlink or a non-empty file that replaced a file stub', async () => {
    const stubs = new MountStubs(root);
    await stub(stubs, '/x', 'file');
    await stub(stubs, '/y', 'file');
    await rm(join(root, 'x'));
    await symlink(join(host, 'victim'), join(root, 'x'));
    await writeFile(join(host, 'victim'), '');
    await writeFile(join(root, 'y'), 'data');
    await stubs.cleanup();
    expect((await lstat(join(root, 'x'))).isSymbolicLink()).to.equal(true);
    expect((await stat(join(host, 'victim'))).isFile()).to.equal(true);
    expect((await stat(join(root, 'y'))).size).to.equal(4);
  });

  it('leaves the parent directory with the mtime the stub gave it, so its layer holds the parent as BuildKit 0.13\'s does', async () => {
    await mkdir(join(root, 'etc'));
    const past = new Date('2020-01-01T00:00:00Z');
    await utimes(join(root, 'etc'), past, past);
    const stubs = new MountStubs(root);
    await stub(stubs, '/etc/hosts', 'file');
    await stubs.cleanup();
    expect(await readdir(join(root, 'etc'))).to.deep.equal([]);
    expect((await stat(join(root, 'etc'))).mtime.getTime()).to.be.above(past.getTime());
  });

  it('does not create anything below a tmpfs mount (the namespace does that)', async () => {
    const stubs = new MountStubs(root);
    const mounts = [{ target: ['scratch'] }];
    const result = await stubs.ensure(await resolveInRoot(root, '/scratch/a/b', mounts), 'dir', mounts);
    expect(result).to.deep.equal({ namespaceFrom: 1 });
    expect(await readdir(root)).to.deep.equal([]);
  });
});
