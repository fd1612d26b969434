// SECURITY.md group A: a build context must never lead the build to a file outside it.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildContext, type ContextEntry } from '../../cache/context.js';
import { makeCanary, removeFolder, tempFolder, writeTree, type Canary } from './context-fixtures.js';

describe('cache/context: symlinks out of the context (SECURITY A1, A2, A7b)', () => {
  let root: string;
  let canary: Canary;
  let context: BuildContext;
  beforeEach(async () => {
    root = tempFolder();
    canary = makeCanary();
    writeTree(root, { 'bar.txt': 'bar', 'sub/keep': 'k' });
    symlinkSync(canary.secretPath, join(root, 'evil'));
    symlinkSync('../../../etc/group', join(root, 'sub/bar'));
    symlinkSync('/etc/passwd', join(root, 'foo'));
    symlinkSync(canary.dir, join(root, 'evil-dir'));
    context = await BuildContext.open(root);
  });
  afterEach(() => {
    canary.assertIntact();
    removeFolder(root);
    removeFolder(canary.dir);
  });

  it('lists evil -> <canary>/secret as a symlink with its target verbatim', () => {
    expect(context.entry('evil')).to.include({ type: 'symlink', linkTarget: canary.secretPath, size: 0 });
  });

  it('keeps sub/bar -> ../../../etc/group and foo -> /etc/passwd verbatim', () => {
    expect(context.entry('sub/bar')).to.include({ type: 'symlink', linkTarget: '../../../etc/group' });
    expect(context.entry('foo')).to.include({ type: 'symlink', linkTarget: '/etc/passwd' });
  });

  it('never enters a symlinked folder while walking', () => {
    expect(context.entries.map((entry) => entry.path).filter((path) => path.startsWith('evil-dir/'))).to.deep.equal([]);
  });

  it('follows COPY evil inside the context only, so it is not found (BuildKit testLocalSymlinkEscape)', async () => {
    const failure = (await context.select('evil').catch((error: unknown) => error)) as { code?: string };
    expect(failure.code).to.equal('E_NOT_FOUND');
    expect(((await context.select('evil-dir/secret').catch((error: unknown) => error)) as { code?: string }).code).to.equal('E_NOT_FOUND');
  });

  it('copies COPY . with the links as links, carrying no canary bytes', async () => {
    const [selected] = await context.select('.');
    const links = selected.entries.filter((item) => item.entry.type === 'symlink').map((item) => `${item.path} -> ${item.entry.linkTarget}`);
    expect(links).to.deep.equal([`evil -> ${canary.secretPath}`, `evil-dir -> ${canary.dir}`, 'foo -> /etc/passwd', 'sub/bar -> ../../../etc/group']);
    const serialised = JSON.stringify(selected, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    expect(serialised).to.not.contain(canary.secret.toString());
  });

  it('refuses to open a symlink entry as a file', async () => {
    const failure = (await context.openFile(context.entry('evil')!).catch((error: unknown) => error)) as { code?: string };
    expect(failure.code).to.equal('ELOOP');
  });

  it('refuses readUnfiltered through a link leading out', async () => {
    const failure = (await context.readUnfiltered('evil').catch((error: unknown) => error)) as { code?: string; message: string };
    expect(failure.code).to.equal('E_CONTEXT');
    expect(failure.message).to.contain('outside');
  });
});

/** Both ways the build reads context files: streamed (large files) and whole (small files). */
const readers: [string, (context: BuildContext, entry: ContextEntry) => Promise<unknown>][] = [
  ['openFile', (context, entry) => context.openFile(entry)],
  ['readSmallFile', async (context, entry) => context.readSmallFile(entry)],
];

for (const [readerName, read] of readers) {
  describe(`cache/context: paths swapped after the walk (TOCTOU), read with ${readerName}`, () => {
    let root: string;
    let canary: Canary;
    beforeEach(() => {
      root = tempFolder();
      canary = makeCanary();
    });
    afterEach(() => {
      canary.assertIntact();
      removeFolder(root);
      removeFolder(canary.dir);
    });
    it('does not read a file that became a symlink to the canary', async () => {
      writeTree(root, { data: 'data' });
      const context = await BuildContext.open(root);
      rmSync(join(root, 'data'));
      symlinkSync(canary.secretPath, join(root, 'data'));
      const failure = (await read(context, context.entry('data')!).catch((error: unknown) => error)) as { code?: string };
      expect(failure.code).to.equal('ELOOP');
    });

    it('does not read through a folder that became a symlink to the canary folder', async () => {
      writeTree(root, { 'sub/secret': 'in context' });
      const context = await BuildContext.open(root);
      rmSync(join(root, 'sub'), { recursive: true });
      symlinkSync(canary.dir, join(root, 'sub'));
      const failure = (await read(context, context.entry('sub/secret')!).catch((error: unknown) => error)) as { code?: string; message: string };
      expect(failure.code).to.equal('E_CONTEXT');
      expect(failure.message).to.match(/outside the build context|replaced/);
    });

    it('does not read a different file renamed into place', async () => {
      writeTree(root, { data: 'one' });
      const context = await BuildContext.open(root);
      writeFileSync(join(root, 'data.new'), 'two');
      renameSync(join(root, 'data.new'), join(root, 'data'));
      const failure = (await read(context, context.entry('data')!).catch((error: unknown) => error)) as { code?: string; message: string };
      expect(failure.code).to.equal('E_CONTEXT');
      expect(failure.message).to.contain('replaced');
    });

    it('does not hang on a FIFO swapped in for a file', async () => {
      writeTree(root, { data: 'data' });
      const context = await BuildContext.open(root);
      rmSync(join(root, 'data'));
      execFileSync('mkfifo', [join(root, 'data')]);
      const failure = (await read(context, context.entry('data')!).catch((error: unknown) => error)) as { code?: string };
      expect(failure.code).to.equal('E_CONTEXT');
    });
  });
}
