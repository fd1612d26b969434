import { expect } from 'chai';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openTarContext, unpackContextTar } from '../../cache/context-tar.js';
import { makeCanary, isRoot, removeFolder, tempFolder, type Canary } from './context-fixtures.js';
import { makeTar, type TarFixtureEntry } from './hostile-tar.js';

function streamOf(tar: Buffer): Readable {
  return Readable.from([tar.subarray(0, 700), tar.subarray(700)]);
}

describe('cache/context-tar: a context from a tar stream', () => {
  let temp: string;
  beforeEach(() => (temp = tempFolder()));
  afterEach(() => removeFolder(temp));

  it('unpacks files, folders, symlinks and hard links, and opens them as a context', async () => {
    const tar = makeTar([
      { name: 'Dockerfile', content: 'FROM scratch\n' },
      { name: 'app/', type: 'dir', mode: 0o750 },
      { name: 'app/run.sh', content: 'echo hi\n', mode: 0o755, uid: 1000, gid: 1000 },
      { name: 'app/link', type: 'symlink', linkname: '../../../etc/group' },
      { name: 'app/hard', type: 'link', linkname: 'app/run.sh' },
      { name: '.dockerignore', content: 'secret\n' },
      { name: 'secret', content: 's' },
    ]);
    const context = await openTarContext(streamOf(tar), { tempDir: temp });
    try {
      expect(context.entries.map((entry) => `${entry.type} ${entry.path}`)).to.deep.equal([
        'file .dockerignore',
        'file Dockerfile',
        'dir app',
        'file app/hard',
        'symlink app/link',
        'file app/run.sh',
      ]);
      const run = context.entry('app/run.sh')!;
      expect(run.mode).to.equal(0o755);
      if (isRoot) expect([run.uid, run.gid]).to.deep.equal([1000, 1000]);
      expect(context.entry('app')!.mode).to.equal(0o750);
      expect(context.entry('app/link')!.linkTarget).to.equal('../../../etc/group');
      expect(context.entry('app/hard')!.identity.ino).to.equal(run.identity.ino);
    } finally {
      await context.dispose();
    }
    expect(readdirSync(temp), 'dispose removes the temp folder').to.deep.equal([]);
  });

  it('reads a gzipped tar', async () => {
    const context = await openTarContext(streamOf(makeTar([{ name: 'a', content: 'x' }], { gzip: true })), { tempDir: temp });
    expect(context.entries.map((entry) => entry.path)).to.deep.equal(['a']);
    await context.dispose();
  });

  it('uses <Dockerfile>.dockerignore from inside the tar', async () => {
    const tar = makeTar([{ name: 'docker/app.Dockerfile', content: 'FROM scratch' }, { name: 'docker/app.Dockerfile.dockerignore', content: 'foo' }, { name: 'foo' }, { name: 'bar' }]);
    const context = await openTarContext(streamOf(tar), { tempDir: temp, dockerfile: 'docker/app.Dockerfile' });
    expect(context.entry('foo')).to.equal(undefined);
    expect(context.entry('bar')).to.not.equal(undefined);
    await context.dispose();
  });

  it('strips leading slashes from absolute names (Docker tars have them)', async () => {
    const folder = join(temp, 'out');
    mkdirSync(folder, { mode: 0o700 });
    await unpackContextTar(streamOf(makeTar([{ name: '/abs/y', content: 'y' }, { name: '////etc/z', content: 'z' }])), folder);
    expect(readFileSync(join(folder, 'abs/y'), 'utf8')).to.equal('y');
    expect(readFileSync(join(folder, 'etc/z'), 'utf8')).to.equal('z');
  });

  it('replaces a symlink by a later file of the same name instead of writing through it', async () => {
    const canary = makeCanary();
    try {
      const tar = makeTar([{ name: 'a', type: 'symlink', linkname: canary.secretPath }, { name: 'a', content: 'overwritten?' }]);
      const context = await openTarContext(streamOf(tar), { tempDir: temp });
      expect(context.entry('a')!.type).to.equal('file');
      await context.dispose();
      canary.assertIntact();
    } finally {
      removeFolder(canary.dir);
    }
  });

  it('skips devices and FIFOs, which need native code to create', async () => {
    const folder = join(temp, 'out');
    mkdirSync(folder, { mode: 0o700 });
    const report = await unpackContextTar(streamOf(makeTar([{ name: 'p', type: 'fifo' }, { name: 'f', content: 'x' }])), folder);
    expect(report.skipped).to.deep.equal([{ name: 'p', type: 'fifo' }]);
  });
});

describe('cache/context-tar: hostile tars cannot write outside their temp folder', () => {
  let temp: string;
  let canary: Canary;
  beforeEach(() => {
    temp = tempFolder();
    canary = makeCanary();
  });
  afterEach(() => {
    removeFolder(temp);
    removeFolder(canary.dir);
  });

  const hostile: [string, (c: Canary) => TarFixtureEntry[], string][] = [
    ['a name climbing out with ..', () => [{ name: '../x', content: 'pwned' }], 'climbs out'],
    ['.. hidden in the middle', () => [{ name: 'a/../../x', content: 'pwned' }], 'climbs out'],
    ['a symlink then a write through it', (c) => [{ name: 'link', type: 'symlink', linkname: c.dir }, { name: 'link/pwned', content: 'pwned' }], 'symlink'],
    ['a symlink to .. then a write through it', () => [{ name: 'up', type: 'symlink', linkname: '..' }, { name: 'up/pwned', content: 'pwned' }], 'symlink'],
    ['a folder replaced by a symlink, then a write into it', (c) => [{ name: 'd/', type: 'dir' }, { name: 'd/ok', content: 'ok' }, { name: 'd', type: 'symlink', linkname: c.dir }, { name: 'd/pwned', content: 'pwned' }], 'symlink'],
    ['a hard link to a file outside', (c) => [{ name: 'h', type: 'link', linkname: '../../../../../../' + c.secretPath.slice(1) }], 'climbs out'],
    ['a hard link through a symlink', (c) => [{ name: 'link', type: 'symlink', linkname: c.dir }, { name: 'h', type: 'link', linkname: 'link/secret' }], 'symlink'],
    ['a hard link to a folder', () => [{ name: 'd/', type: 'dir' }, { name: 'h', type: 'link', linkname: 'd' }], 'hard link'],
  ];

  for (const [title, entriesFor, reason] of hostile) {
    it(`rejects ${title}`, async () => {
      const entries = entriesFor(canary);
      const before = readdirSync(temp);
      const failure = (await openTarContext(streamOf(makeTar(entries)), { tempDir: temp }).catch((error: unknown) => error)) as Error & { code?: string };
      expect(failure.code).to.equal('E_CONTEXT');
      expect(failure.message).to.contain(reason);
      expect(readdirSync(temp), 'no stray files beside the temp folder, and it is removed').to.deep.equal(before);
      expect(existsSync(join(canary.dir, 'pwned'))).to.equal(false);
      canary.assertIntact();
    });
  }

  it('stops at the entry budget', async () => {
    const entries = Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, content: '' }));
    const failure = (await openTarContext(streamOf(makeTar(entries)), { tempDir: temp, maxEntries: 100 }).catch((error: unknown) => error)) as Error & { code?: string };
    expect(failure.code).to.equal('E_CONTEXT');
    expect(failure.message).to.contain('more than 100 entries');
    expect(readdirSync(temp)).to.deep.equal([]);
  });

  it('stops at the byte budget', async () => {
    const failure = (await openTarContext(streamOf(makeTar([{ name: 'big', content: Buffer.alloc(5000) }])), { tempDir: temp, maxBytes: 4096 }).catch((error: unknown) => error)) as Error & { code?: string };
    expect(failure.code).to.equal('E_CONTEXT');
    expect(failure.message).to.contain('more than 4096 bytes');
  });

  it('stops at the depth budget', async () => {
    const failure = (await openTarContext(streamOf(makeTar([{ name: 'a/b/c/d/e', content: 'x' }])), { tempDir: temp, maxDepth: 4 }).catch((error: unknown) => error)) as Error & { code?: string };
    expect(failure.message).to.contain('nested too deeply');
  });

  it('turns a truncated tar into E_CONTEXT', async () => {
    const tar = makeTar([{ name: 'a', content: Buffer.alloc(2000, 1) }]);
    const failure = (await openTarContext(streamOf(tar.subarray(0, 1200)), { tempDir: temp }).catch((error: unknown) => error)) as Error & { code?: string };
    expect(failure.code).to.equal('E_CONTEXT');
  });

  it('keeps symlink targets verbatim and never follows them', async () => {
    const tar = makeTar([{ name: 'evil', type: 'symlink', linkname: canary.secretPath }, { name: 'sub/bar', type: 'symlink', linkname: '../../../etc/group' }]);
    const context = await openTarContext(streamOf(tar), { tempDir: temp });
    expect(readlinkSync(join(context.root, 'evil'))).to.equal(canary.secretPath);
    expect(lstatSync(join(context.root, 'sub/bar')).isSymbolicLink()).to.equal(true);
    await context.dispose();
    canary.assertIntact();
  });
});
