// SECURITY.md group A (and D2) end to end: a hostile context and Dockerfile through build() on a
// busybox base. Each case has a host canary (random secret bytes, a 0400 victim, an empty folder)
// that must stay untouched, and the secret must appear nowhere under the root.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkTar } from '../support/mk-tar.js';
import { filesContaining, makeHostileBuild, type HostileBuild } from './hostile-build.js';
import { imageEntry } from './image-files.js';

describe('security A: hostile contexts through build() [root]', function () {
  this.timeout(300000);
  let hb: HostileBuild;
  beforeEach(async () => {
    hb = await makeHostileBuild();
  });
  afterEach(async () => {
    hb.canary.assertIntact();
    expect(filesContaining(hb.fixture.root, hb.canary.secret), 'canary secret under the root').to.deep.equal([]);
    await hb.dispose();
  });

  const ctx = (name: string) => join(hb.fixture.context, name);

  it('A1: COPY of a context symlink to a host secret follows it inside the context only (not found)', async () => {
    await symlink(join(hb.canary.dir, 'secret'), ctx('evil'));
    const result = await hb.attempt('FROM busybox:test\nCOPY evil /x\n', { tags: ['a1:x'] });
    expect(result).to.be.instanceOf(Error);
    expect((result as Error).message).to.match(/not found|no such file/i);
  });

  it('A2: COPY . keeps symlinks out of the context as symlinks with verbatim targets', async () => {
    await mkdir(ctx('sub'));
    await symlink('../../../etc/group', ctx('sub/bar'));
    await symlink(join(hb.canary.dir, 'secret'), ctx('foo'));
    const result = await hb.attempt('FROM busybox:test\nCOPY . /d/\n', { tags: ['a2:x'] });
    expect(result).not.to.be.instanceOf(Error);
    expect(await imageEntry(hb.fixture, 'a2:x', 'd/sub/bar')).to.deep.equal({ kind: 'symlink', target: '../../../etc/group' });
    expect(await imageEntry(hb.fixture, 'a2:x', 'd/foo')).to.deep.equal({ kind: 'symlink', target: join(hb.canary.dir, 'secret') });
  });

  it('A4: ../ and absolute sources are context-relative; the parent folder is never read', async () => {
    await writeFile(join(hb.fixture.dir, 'x'), hb.canary.secret);
    await writeFile(ctx('x'), 'inside\n');
    const result = await hb.attempt('FROM busybox:test\nCOPY ../x /y\nCOPY /x /z\nCOPY ../../ /all/\n', { tags: ['a4:x'] });
    expect(result).not.to.be.instanceOf(Error);
    expect(await imageEntry(hb.fixture, 'a4:x', 'y')).to.deep.equal({ kind: 'file', text: 'inside\n' });
    expect(await imageEntry(hb.fixture, 'a4:x', 'z')).to.deep.equal({ kind: 'file', text: 'inside\n' });
    expect(await imageEntry(hb.fixture, 'a4:x', 'all/x')).to.deep.equal({ kind: 'file', text: 'inside\n' });
  });

  const linkCases: Array<[string, Array<{ name: string; target: string }>]> = [
    ['A5: one hop (TestBuildAddBadLinks)', [{ name: 'symlink', target: '/../../../../CANARY' }]],
    ['A5b: two hops (TestBuildSymlinkBreakout)', [
      { name: 'symlink2', target: '/../../../../../../' },
      { name: 'symlink', target: 'symlink2/CANARY' },
    ]],
  ];
  for (const [title, links] of linkCases) {
    it(`${title}: ADD/COPY into a layer symlink lands in the rootfs`, async () => {
      const entries = links.map((link) => ({ name: link.name, type: 'symlink' as const, linkname: link.target.replace('CANARY', hb.canary.dir.slice(1)) }));
      await writeFile(ctx('links.tar'), mkTar(entries));
      await writeFile(ctx('foo.txt'), 'foo\n');
      const result = await hb.attempt('FROM busybox:test\nADD links.tar /\nADD foo.txt /symlink/\nCOPY foo.txt /symlink/bar.txt\n', { tags: ['a5:x'] });
      expect(result).not.to.be.instanceOf(Error);
      expect(existsSync(join(hb.canary.dir, 'foo.txt'))).to.equal(false);
      expect(await imageEntry(hb.fixture, 'a5:x', join(hb.canary.dir, 'foo.txt'))).to.deep.equal({ kind: 'file', text: 'foo\n' });
      expect(await imageEntry(hb.fixture, 'a5:x', join(hb.canary.dir, 'bar.txt'))).to.deep.equal({ kind: 'file', text: 'foo\n' });
    });
  }

  it('A5c: a symlink made by RUN, then VOLUME and ADD through it (TestBuildAddBadLinksVolume)', async () => {
    await writeFile(ctx('foo.txt'), 'foo\n');
    const text = `FROM busybox:test\nRUN ln -s /../../../../${hb.canary.dir} /x\nVOLUME /x\nADD foo.txt /x/\n`;
    const result = await hb.attempt(text, { tags: ['a5c:x'], network: 'none' });
    expect(result).not.to.be.instanceOf(Error);
    expect(existsSync(join(hb.canary.dir, 'foo.txt'))).to.equal(false);
    expect(await imageEntry(hb.fixture, 'a5c:x', join(hb.canary.dir, 'foo.txt'))).to.deep.equal({ kind: 'file', text: 'foo\n' });
  });

  it('D2: WORKDIR through a base-layer symlink to a host folder is created in-root', async () => {
    await writeFile(ctx('links.tar'), mkTar([{ name: 'work', type: 'symlink', linkname: `/../../..${hb.canary.dir}` }]));
    const result = await hb.attempt('FROM busybox:test\nADD links.tar /\nWORKDIR /work/sub\nRUN touch made\n', { tags: ['d2:x'], network: 'none' });
    expect(result).not.to.be.instanceOf(Error);
    expect(existsSync(join(hb.canary.dir, 'sub'))).to.equal(false);
    expect(await imageEntry(hb.fixture, 'd2:x', join(hb.canary.dir, 'sub/made'))).to.deep.equal({ kind: 'file', text: '' });
  });

  // Swaps `d` (a folder) and `evil` (a symlink to the canary folder) atomically with
  // renameat2(RENAME_EXCHANGE), so `d` always exists and is either one at any instant.
  const EXCHANGE_LOOP = [
    'import ctypes, sys',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'while True: libc.renameat2(-100, b"d", -100, b"evil", 2)',
  ].join('\n');

  it('A6: a folder swapped atomically for a symlink to the canary while COPY runs never leaks the canary', async function () {
    if (spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL(None).renameat2']).status !== 0) this.skip();
    await mkdir(ctx('d'));
    for (let i = 0; i < 200; i += 1) await writeFile(ctx(`d/f${i}`), `file ${i}\n`);
    await symlink(hb.canary.dir, ctx('evil'));
    const flipper = spawn('python3', ['-c', EXCHANGE_LOOP], { cwd: hb.fixture.context, stdio: 'ignore' });
    const outcomes: string[] = [];
    try {
      for (let round = 0; round < 20; round += 1) {
        const result = await hb.attempt('FROM busybox:test\nCOPY d /d/\nCOPY . /all/\n', { noCache: true, tags: [`a6:${round}`] });
        outcomes.push(result instanceof Error ? result.message : 'built');
      }
    } finally {
      flipper.kill('SIGKILL');
      await new Promise((resolve) => flipper.once('exit', resolve));
    }
    if (process.env.SEC_DEBUG) console.log(outcomes);
    await rm(ctx('d'), { recursive: true, force: true });
  });

  it('A8: COPY of a context file named .wh.<name> is refused, naming the path (imagebuilder#75)', async () => {
    await writeFile(ctx('.wh.foo.repo'), 'whiteout?\n');
    const result = await hb.attempt('FROM busybox:test\nRUN mkdir /opt && echo repo > /opt/foo.repo\nCOPY .wh.foo.repo /opt/\n', { tags: ['a8:x'], network: 'none' });
    expect(result).to.be.instanceOf(Error);
    expect((result as Error).message).to.include('/opt/.wh.foo.repo');
  });

  it('A8: a RUN that creates a file named .wh.<name> fails instead of deleting <name> below', async () => {
    const text = 'FROM busybox:test\nRUN mkdir /opt && echo repo > /opt/foo.repo\nRUN touch /opt/.wh.foo.repo\n';
    const result = await hb.attempt(text, { tags: ['a8run:x'], network: 'none' });
    expect(result).to.be.instanceOf(Error);
    expect((result as Error).message).to.include('.wh.foo.repo');
  });
});
