import { expect } from 'chai';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BuildContext, type SelectedSource } from '../../cache/context.js';
import { readConformanceJson } from '../support/conformance.js';
import { removeFolder, tempFolder, writeTree } from './context-fixtures.js';

interface BuildCase {
  id: string;
  source: string;
  context: Record<string, string>;
  contextSymlinks?: Record<string, string>;
  dockerfile?: string;
  expectOutput?: { path: string; excluded: boolean; content?: string }[];
  note?: string;
}

/** Where each selected entry lands under `dest`: a folder source copies its contents. */
function landing(selected: readonly SelectedSource[], dest: string): Map<string, { type: string; linkTarget?: string; path: string }> {
  const out = new Map<string, { type: string; linkTarget?: string; path: string }>();
  for (const source of selected) {
    for (const { path, entry } of source.entries) {
      const rel = source.root.type === 'dir' ? path : source.matched.split('/').pop()!;
      if (rel === '') continue;
      out.set(`${dest}/${rel}`, { type: entry.type, path: entry.path, ...(entry.linkTarget === undefined ? {} : { linkTarget: entry.linkTarget }) });
    }
  }
  return out;
}

/** `COPY|ADD [--exclude=P]... SRC DEST` lines of each stage, read from the case's Dockerfile. */
function copyLines(dockerfile: string): { stage: string; exclude: string[]; source: string; dest: string }[] {
  const lines: { stage: string; exclude: string[]; source: string; dest: string }[] = [];
  let stage = '';
  for (const line of dockerfile.split('\n')) {
    const from = /^FROM \S+ as (\S+)/i.exec(line);
    if (from) stage = from[1];
    const words = line.split(/\s+/);
    if (!/^(COPY|ADD)$/.test(words[0]) || words.some((word) => word.startsWith('--from'))) continue;
    const exclude = words.filter((word) => word.startsWith('--exclude=')).map((word) => word.slice('--exclude='.length));
    const [source, dest] = words.filter((word, i) => i > 0 && !word.startsWith('--'));
    lines.push({ stage, exclude, source, dest: dest.replace(/^\/|\/$/g, '') });
  }
  return lines;
}

describe('cache/context-select: build_cases.json', () => {
  const cases = readConformanceJson<BuildCase[]>('dockerignore', 'build_cases.json');
  let root: string;
  beforeEach(() => (root = tempFolder()));
  afterEach(() => removeFolder(root));

  // dibuild-01..04 as whole builds: spec/lib/build-dockerignore-conformance.spec.ts; the
  // ignore-file parts of dibuild-01..03 are covered at the context level in context.spec.ts.

  const excludeCase = cases.find((c) => c.id === 'dibuild-04')!;
  it('dibuild-04 at the selection level: COPY/ADD --exclude picks exactly the expected entries', async () => {
    writeTree(root, excludeCase.context);
    for (const [path, target] of Object.entries(excludeCase.contextSymlinks ?? {})) symlinkSync(target, join(root, path));
    const context = await BuildContext.open(root);
    const landed = new Map<string, { type: string; linkTarget?: string; path: string }>();
    for (const copy of copyLines(excludeCase.dockerfile!)) {
      const selected = await context.select(copy.source, { exclude: copy.exclude });
      for (const [path, entry] of landing(selected, `${copy.stage}/${copy.dest}`)) landed.set(path, entry);
    }
    for (const expected of excludeCase.expectOutput!) {
      const entry = landed.get(expected.path);
      if (expected.excluded) {
        expect(entry, `${expected.path} excluded`).to.equal(undefined);
        continue;
      }
      expect(entry, `${expected.path} copied`).to.not.equal(undefined);
      const content = entry!.type === 'symlink' ? entry!.linkTarget : readFileSync(join(root, entry!.path), 'utf8');
      expect(content, expected.path).to.equal(expected.content);
    }
  });
});

describe('cache/context-select: COPY source selection', () => {
  let root: string;
  let context: BuildContext;
  before(async () => {
    root = tempFolder();
    writeTree(root, {
      'src/a.js': 'a',
      'src/b.ts': 'b',
      'src/lib/c.js': 'c',
      'docs/x.md': 'x',
      'star*name': 's',
      'secret.txt': 'hidden',
      'hi.txt': 'ignored target',
      '.dockerignore': 'secret.txt\nhi.txt\n',
      'dir/sub/f': 'f',
    });
    symlinkSync('docs/x.md', join(root, 'to-doc'));
    symlinkSync('/src', join(root, 'abs-src'));
    symlinkSync('../../../../src/a.js', join(root, 'src/up-a'));
    symlinkSync('hi.txt', join(root, 'src.txt'));
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    symlinkSync('sub', join(root, 'dir/sublink'));
    context = await BuildContext.open(root);
  });
  after(() => removeFolder(root));

  const paths = (selected: readonly SelectedSource[]) => selected.map((source) => source.resolved);
  const failure = (source: string) => context.select(source).then(() => undefined, (error: Error & { code?: string }) => error);

  const resolves: [string, string, string[]][] = [
    ['a wildcard stops at /', 'src/*.js', ['src/a.js']],
    ['a wildcard in a folder name', 's*/*.ts', ['src/b.ts']],
    ['a matching folder is taken whole', 'd*', ['dir', 'docs']],
    ['an escaped * in a wildcard source is literal', 's*\\*name', ['star*name']],
    ['a class can hold a *', 'star[*]name', ['star*name']],
    ['.. above the root is dropped', '../src/a.js', ['src/a.js']],
    ['a leading / is dropped', '/src/a.js', ['src/a.js']],
    ['a top-level symlink is followed inside the context', 'to-doc', ['docs/x.md']],
    ['an absolute link target counts from the context root', 'abs-src', ['src']],
    ['.. in a link target stops at the root', 'src/up-a', ['src/a.js']],
    ['symlinks in the middle of a source are followed', 'dir/sublink/f', ['dir/sub/f']],
    ['the root', '.', ['']],
  ];
  for (const [title, source, expected] of resolves) {
    it(`${title}: ${source}`, async () => expect(paths(await context.select(source))).to.deep.equal(expected));
  }

  it('lists a folder source with paths relative to it, keeping nested symlinks as symlinks', async () => {
    const [selected] = await context.select('dir');
    expect(selected.entries.map((item) => `${item.entry.type} ${item.path}`)).to.deep.equal(['dir ', 'dir sub', 'file sub/f', 'symlink sublink']);
  });

  it('does not follow the source symlink when asked not to', async () => {
    const [selected] = await context.select('to-doc', { followSymlinks: false });
    expect([selected.resolved, selected.root.type, selected.root.linkTarget]).to.deep.equal(['to-doc', 'symlink', 'docs/x.md']);
  });

  it('applies --exclude relative to the source and never to the source itself', async () => {
    const [selected] = await context.select('src', { exclude: ['*.js', 'lib'] });
    expect(selected.entries.map((item) => item.path)).to.deep.equal(['', 'b.ts', 'up-a']);
    const [file] = await context.select('src/a.js', { exclude: ['*.js', 'a.js'] });
    expect(file.entries.map((item) => item.entry.path)).to.deep.equal(['src/a.js']);
  });

  it('fails with E_NOT_FOUND for a missing source', async () => {
    expect((await failure('nope'))?.code).to.equal('E_NOT_FOUND');
    // Without a wildcard the source is taken literally, backslash included (fsutil).
    expect((await failure('star\\*name'))?.code).to.equal('E_NOT_FOUND');
    expect((await failure('src/*.py'))?.code).to.equal('E_NOT_FOUND');
  });

  it('cannot select an ignored file, and says which pattern hid it', async () => {
    const error = await failure('secret.txt');
    expect(error?.code).to.equal('E_NOT_FOUND');
    expect(error?.message).to.contain('excluded by "secret.txt" (.dockerignore:1)');
  });

  it('cannot reach an ignored file through a symlink (Docker: file not found)', async () => {
    expect((await failure('src.txt'))?.code).to.equal('E_NOT_FOUND');
  });

  it('rejects a symlink loop', async () => {
    const error = await failure('loop-a');
    expect(error?.code).to.equal('E_CONTEXT');
    expect(error?.message).to.contain('too many levels of symbolic links');
  });

  it('rejects a bad --exclude pattern with E_CONTEXT', async () => {
    const error = await context.select('src', { exclude: ['['] }).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(error?.code).to.equal('E_CONTEXT');
  });
});
