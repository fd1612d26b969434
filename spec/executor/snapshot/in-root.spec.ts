// The in-root resolver and writer on their own: absolute symlinks re-rooted, `..` clamped, loops
// detected, the final component never followed, and no attribute change ever reaching the host.
import { expect } from 'chai';
import { lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InRoot, InRootError, removeEntry, setEntryAttrs, writeNewFile } from '../../../executor/snapshot/in-root.js';
import { makeCanary } from './canary.js';
import { createDir, createFile, createSymlink, makeTree, thrownBy } from './fs-fixture.js';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function openTree(...steps: Parameters<typeof makeTree>): Promise<InRoot> {
  const root = makeTree(...steps);
  made.push(root);
  return InRoot.open(root);
}

describe('snapshot: in-root resolution', () => {
  it('re-roots absolute symlink targets and clamps `..` at the root', async () => {
    const root = await openTree(createDir('etc'), createSymlink('/etc', 'abs'), createSymlink('../../../../etc', 'up'), createSymlink('/dummy/../../etc', 'mixed'));
    for (const path of ['abs/passwd', 'up/passwd', 'mixed/passwd', '../../etc/passwd', '/../etc/passwd']) {
      expect(await root.resolve(path, true), path).to.deep.equal({ existing: ['etc'], missing: ['passwd'] });
    }
  });

  it('does not follow the final component unless asked', async () => {
    const root = await openTree(createSymlink('/etc/passwd', 'link'));
    expect(await root.resolve('link', false)).to.deep.equal({ existing: ['link'], missing: [] });
    expect(await root.resolve('link', true)).to.deep.equal({ existing: [], missing: ['etc', 'passwd'] });
  });

  it('stops symlink loops (a -> b -> a, sh -> sh) after 40 hops', async () => {
    const root = await openTree(createSymlink('b', 'a'), createSymlink('a', 'b'), createSymlink('sh', 'sh'));
    for (const path of ['a/x', 'sh/x']) {
      const error = await thrownBy(root.resolve(path, true));
      expect(error).to.be.instanceOf(InRootError);
      expect(error.message).to.include('too many levels of symbolic links');
    }
  });

  it('refuses to go through a file', async () => {
    const root = await openTree(createFile('f', 'x'));
    expect((await thrownBy(root.resolve('f/x', true))).message).to.include('/f is not a directory');
  });

  it('[root] creates missing parents in-root with the attributes (owner included) it is given', async () => {
    const canary = makeCanary();
    made.push(canary.dir);
    const root = await openTree(createSymlink(canary.dir, 'escape'));
    const location = await root.entryLocation('escape/sub/file', async () => ({ mode: 0o750, uid: 12, gid: 34 }));
    expect(location.host.startsWith(root.root)).to.equal(true);
    const created = lstatSync(join(root.root, canary.dir, 'sub'));
    expect([created.mode & 0o7777, created.uid, created.gid]).to.deep.equal([0o750, 12, 34]);
    canary.assertIntact();
  });
});

describe('snapshot: in-root writing', () => {
  it('removing a symlink unlinks it, never its target', async () => {
    const canary = makeCanary();
    made.push(canary.dir);
    const root = await openTree(createSymlink(canary.dir, 'dirlink'), createSymlink(join(canary.dir, 'victim'), 'filelink'));
    await removeEntry(join(root.root, 'dirlink'));
    await removeEntry(join(root.root, 'filelink'));
    canary.assertIntact();
  });

  it('attributes on a symlink never reach its target', async () => {
    const canary = makeCanary();
    made.push(canary.dir);
    const root = await openTree(createSymlink(join(canary.dir, 'victim'), 'link'));
    await setEntryAttrs(join(root.root, 'link'), { mode: 0o777, uid: process.getuid!(), gid: process.getgid!(), mtime: new Date(0) }, true);
    canary.assertIntact();
  });

  it('a new file never writes through an existing entry (O_EXCL | O_NOFOLLOW)', async () => {
    const canary = makeCanary();
    made.push(canary.dir);
    const root = await openTree(createSymlink(join(canary.dir, 'victim'), 'link'));
    writeFileSync(join(root.root, 'plain'), 'old');
    for (const name of ['link', 'plain']) {
      const error = await thrownBy(writeNewFile(join(root.root, name), [Buffer.from('new')], { mode: 0o644, uid: 0, gid: 0 }, false));
      expect((error as NodeJS.ErrnoException).code).to.equal('EEXIST');
    }
    expect(readFileSync(join(root.root, 'plain'), 'utf8')).to.equal('old');
    canary.assertIntact();
  });
});
