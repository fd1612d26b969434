import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, linkSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../cache/cache-key.js';
import { ContextHasher, entryDigest, ENTRY_RECIPE } from '../../cache/context-hash.js';
import type { ContextEntry } from '../../cache/context-walk.js';
import { BuildContext } from '../../cache/context.js';
import { createRootFolders, rootLayout, type RootLayout } from '../../cache/root.js';
import { StatCache } from '../../cache/stat-cache.js';
import { isRoot, makeCanary, removeFolder, tempFolder, writeTree } from './context-fixtures.js';

const sha = (text: string | Buffer) => 'sha256:' + createHash('sha256').update(text).digest('hex');

function fixedEntry(overrides: Partial<ContextEntry>): ContextEntry {
  const identity = { dev: 1n, ino: 2n, nlink: 1, mtimeNs: 3n, ctimeNs: 4n };
  return { path: 'x', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 5, identity, ...overrides };
}

/** The digest of `source` in a freshly opened context (a new walk each time). */
async function digestOf(root: string, source = '.', options: { statCache?: StatCache; exclude?: string[] } = {}) {
  const context = await BuildContext.open(root);
  const hasher = new ContextHasher(context, options.statCache ? { statCache: options.statCache } : {});
  const selected = await context.select(source, options.exclude ? { exclude: options.exclude } : {});
  return { digest: (await hasher.digestSources(selected)).digest, hasher };
}

describe('cache/context-hash: the digest recipe', () => {
  // Golden values (checked with an independent sorted-key JSON + sha256): if one changes, the
  // recipe changed. Bump ENTRY_RECIPE and update them.
  it('locks the recipe version', () => expect(ENTRY_RECIPE).to.equal(1));

  it('locks a file digest', () => {
    expect(entryDigest(fixedEntry({}), sha('hello'))).to.equal('sha256:ac6cce5944eda55576f37845b71e54cd26fbbec2916c29da79710e122e1dee06');
  });

  it('locks symlink and folder digests', () => {
    expect(entryDigest(fixedEntry({ type: 'symlink', size: 0, linkTarget: '../../etc/group' }))).to.equal('sha256:6bc0c17d3acf2b5b2478c59879a1ed3c9f2a65f6dda97b3f25765ce7a0476c3b');
    expect(entryDigest(fixedEntry({ type: 'dir', size: 0, mode: 0o755 }), undefined, [['a', sha('a')]])).to.equal('sha256:264b5738b701265e76855cc13dc579097cfc25f5bb3a4067d729cf58080c3eb3');
  });

  it('covers each header field, never the timestamps', () => {
    const base = entryDigest(fixedEntry({}), sha('hello'));
    const variants = [
      entryDigest(fixedEntry({}), sha('hellO')),
      entryDigest(fixedEntry({ mode: 0o755 }), sha('hello')),
      entryDigest(fixedEntry({ uid: 1 }), sha('hello')),
      entryDigest(fixedEntry({ gid: 1 }), sha('hello')),
      entryDigest(fixedEntry({ size: 6 }), sha('hello')),
      entryDigest(fixedEntry({ type: 'symlink', linkTarget: 'hello' })),
    ];
    expect(new Set([base, ...variants]).size).to.equal(variants.length + 1);
    const touched = fixedEntry({ identity: { dev: 1n, ino: 2n, nlink: 1, mtimeNs: 999n, ctimeNs: 999n } });
    expect(entryDigest(touched, sha('hello'))).to.equal(base);
  });

  it('writes entry headers exactly as canonicalJson would', () => {
    const entries: [ContextEntry, string?, [string, string][]?][] = [
      [fixedEntry({}), sha('x')],
      [fixedEntry({ type: 'symlink', size: 0, linkTarget: 'a "quoted"\\ target\n' })],
      [fixedEntry({ type: 'chardev', size: 0, rdev: 259 })],
      [fixedEntry({ type: 'dir', size: 0 }), undefined, [['é', sha('1')], ['z', sha('2')]]],
    ];
    for (const [entry, content, children] of entries) {
      const header: Record<string, unknown> = { v: ENTRY_RECIPE, type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid, size: entry.size };
      if (entry.linkTarget !== undefined) header.link = entry.linkTarget;
      if (entry.rdev !== undefined) header.rdev = entry.rdev;
      if (entry.type === 'file') header.content = content;
      if (entry.type === 'dir') header.children = children;
      expect(entryDigest(entry, content, children)).to.equal(sha(canonicalJson(header)));
    }
  });
});

describe('cache/context-hash: digests of real contexts', () => {
  let root: string;
  beforeEach(() => {
    root = tempFolder();
    writeTree(root, { 'app/main.js': 'console.log(1)\n', 'app/lib/util.js': 'export {}\n', 'README.md': 'hi\n' });
  });
  afterEach(() => removeFolder(root));

  it('is stable across walks', async () => {
    expect((await digestOf(root)).digest).to.equal((await digestOf(root)).digest);
  });

  it('changes when one byte changes, even deep in a folder', async () => {
    const before = await digestOf(root);
    writeFileSync(join(root, 'app/lib/util.js'), 'export {}\r');
    expect((await digestOf(root)).digest).to.not.equal(before.digest);
  });

  it('changes with the mode', async () => {
    const before = await digestOf(root, 'app');
    chmodSync(join(root, 'app/main.js'), 0o755);
    expect((await digestOf(root, 'app')).digest).to.not.equal(before.digest);
  });

  it('[root] changes with the owner', async function () {
    if (!isRoot) this.skip();
    const before = await digestOf(root, 'app');
    chownSync(join(root, 'app/main.js'), 1234, 1234);
    expect((await digestOf(root, 'app')).digest).to.not.equal(before.digest);
  });

  it('does not change when only the mtime changes (touch)', async () => {
    const before = await digestOf(root);
    utimesSync(join(root, 'app/main.js'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect((await digestOf(root)).digest).to.equal(before.digest);
  });

  it('changes when a file is renamed, added, or left out by --exclude', async () => {
    const before = await digestOf(root);
    renameSync(join(root, 'README.md'), join(root, 'READ.md'));
    const renamed = await digestOf(root);
    expect(renamed.digest).to.not.equal(before.digest);
    writeFileSync(join(root, 'app/new'), '');
    expect((await digestOf(root)).digest).to.not.equal(renamed.digest);
    expect((await digestOf(root, '.', { exclude: ['app/new'] })).digest).to.equal(renamed.digest);
  });

  it('depends on the matched names of a wildcard source', async () => {
    writeFileSync(join(root, 'a.txt'), 'same');
    const first = await digestOf(root, '*.txt');
    renameSync(join(root, 'a.txt'), join(root, 'b.txt'));
    expect((await digestOf(root, '*.txt')).digest).to.not.equal(first.digest);
  });

  it('reads hard-linked files once', async () => {
    linkSync(join(root, 'README.md'), join(root, 'README.copy'));
    const { hasher } = await digestOf(root);
    expect(hasher.filesRead).to.equal(3);
  });

  it('streams large files', async () => {
    const big = Buffer.alloc(24 * 1024 * 1024 + 3, 7);
    writeFileSync(join(root, 'big.bin'), big);
    const context = await BuildContext.open(root);
    expect(await new ContextHasher(context).contentDigest(context.entry('big.bin')!)).to.equal(sha(big));
  });

  it('refuses a file that changed since the walk', async () => {
    const context = await BuildContext.open(root);
    writeFileSync(join(root, 'README.md'), 'changed and longer\n');
    const failure = (await new ContextHasher(context).contentDigest(context.entry('README.md')!).catch((error: unknown) => error)) as { code?: string; message: string };
    expect(failure.code).to.equal('E_CONTEXT');
    expect(failure.message).to.contain('changed');
  });

  it('hashes a symlink by its target text and never reads the target (canary)', async () => {
    const canary = makeCanary();
    try {
      symlinkSync(canary.secretPath, join(root, 'evil'));
      const before = await digestOf(root);
      writeFileSync(canary.secretPath, 'different secret');
      expect((await digestOf(root)).digest, 'the target content plays no part').to.equal(before.digest);
      expect(before.hasher.filesRead).to.equal(3);
    } finally {
      removeFolder(canary.dir);
    }
  });
});

describe('cache/context-hash: the stat cache', () => {
  let root: string;
  let layout: RootLayout;
  let folder: string;
  beforeEach(async () => {
    root = tempFolder();
    layout = rootLayout(tempFolder('tsbuild-root-'));
    await createRootFolders(layout);
    folder = layout.statcache;
    writeTree(root, { 'a.txt': 'aaaa', 'dir/b.txt': 'bbbb' });
  });
  afterEach(() => {
    removeFolder(root);
    removeFolder(layout.root);
  });

  const load = async (racyWindowMs = 0) => StatCache.load(layout, (await BuildContext.open(root)).root, { racyWindowMs });

  it('lets an unchanged context be checked without reading it', async () => {
    const cold = await load();
    const first = await digestOf(root, '.', { statCache: cold });
    await cold.save();
    const warm = await load();
    const second = await digestOf(root, '.', { statCache: warm });
    expect(second.digest).to.equal(first.digest);
    expect([second.hasher.filesRead, warm.hits]).to.deep.equal([0, 2]);
  });

  it('writes its file atomically under the versioned folder, leaving no temp files', async () => {
    const cache = await load();
    await digestOf(root, '.', { statCache: cache });
    await cache.save();
    expect(folder.endsWith('/statcache-v1')).to.equal(true);
    expect(readdirSync(folder)).to.have.length(1);
    expect(readdirSync(folder)[0]).to.match(/^[0-9a-f]{64}\.json$/);
    expect(statSync(cache.file).mode & 0o777).to.equal(0o600);
    expect(readdirSync(layout.tmp)).to.deep.equal([]);
  });

  it('never returns a stale digest when content changes with size and mtime restored (touch -d)', async () => {
    const cache = await load();
    await digestOf(root, '.', { statCache: cache });
    await cache.save();
    const file = join(root, 'a.txt');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, 'AAAA');
    utimesSync(file, atime, mtime);
    const warm = await load();
    const context = await BuildContext.open(root);
    expect(await new ContextHasher(context, { statCache: warm }).contentDigest(context.entry('a.txt')!)).to.equal(sha('AAAA'));
    expect(warm.misses).to.equal(1);
  });

  it('misses when the file is replaced by another inode with the same size and mtime', async () => {
    const cache = await load();
    await digestOf(root, '.', { statCache: cache });
    await cache.save();
    const file = join(root, 'a.txt');
    const { atime, mtime } = statSync(file);
    writeFileSync(file + '.new', 'XXXX');
    utimesSync(file + '.new', atime, mtime);
    renameSync(file + '.new', file);
    const context = await BuildContext.open(root);
    expect(await new ContextHasher(context, { statCache: await load() }).contentDigest(context.entry('a.txt')!)).to.equal(sha('XXXX'));
  });

  it('does not record files modified within the racy window of the read', async () => {
    const cache = await load(2000);
    await digestOf(root, '.', { statCache: cache });
    expect(cache.size, 'just written: too fresh to trust').to.equal(0);
  });

  it('records them once they are older than the racy window', async function () {
    this.timeout(10_000);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const cache = await load(2000);
    await digestOf(root, '.', { statCache: cache });
    expect(cache.size).to.equal(2);
  });

  const broken: [string, string][] = [
    ['garbage', '{not json'],
    ['another version', JSON.stringify({ format: 'tsbuild-statcache', version: 2, context: '', rows: [] })],
    ['a truncated file', '{"format":"tsbuild-statcache","version":1,"context":"/x","rows":[["a.txt",4,"1","2"'],
  ];
  for (const [title, text] of broken) {
    it(`ignores an unreadable cache file: ${title}`, async () => {
      const cache = await load();
      await digestOf(root, '.', { statCache: cache });
      await cache.save();
      writeFileSync(cache.file, text);
      const reloaded = await load();
      expect(reloaded.size).to.equal(0);
      const again = await digestOf(root, '.', { statCache: reloaded });
      expect(again.hasher.filesRead).to.equal(2);
    });
  }

  it('ignores rows with a malformed digest and keeps the good ones', async () => {
    const cache = await load();
    await digestOf(root, '.', { statCache: cache });
    await cache.save();
    const parsed = JSON.parse(readFileSync(cache.file, 'utf8')) as { rows: unknown[][] };
    parsed.rows[0][6] = 'sha256:not-a-digest';
    writeFileSync(cache.file, JSON.stringify(parsed));
    expect((await load()).size).to.equal(1);
  });

  it('drops entries of paths that left the context', async () => {
    const cache = await load();
    await digestOf(root, '.', { statCache: cache });
    cache.retainOnly(new Set(['a.txt']));
    expect(cache.size).to.equal(1);
    expect(existsSync(cache.file), 'nothing saved yet').to.equal(false);
  });
});
