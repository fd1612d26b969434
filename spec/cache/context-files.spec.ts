// File lists of context selections: what a record keeps (bounded) so a later miss can name the
// files that changed, were added or removed, and how a new selection is compared with it.
import { expect } from 'chai';
import { chmodSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../cache/cache-key.js';
import {
  boundedFileList, describeFileChanges, explainSelectionChange, FILE_LIST_LIMIT, fileListJson, parseFileList, projectFileList, selectedEntries,
  type SelectedEntry,
} from '../../cache/context-files.js';
import { ContextHasher } from '../../cache/context-hash.js';
import { BuildContext } from '../../cache/context.js';
import { removeFolder, tempFolder, writeTree } from './context-fixtures.js';

async function entriesOf(root: string, source = '.', exclude?: string[]): Promise<SelectedEntry[]> {
  const context = await BuildContext.open(root);
  const hasher = new ContextHasher(context);
  return selectedEntries(hasher, await context.select(source, exclude ? { exclude } : {}));
}

/** What changed in `root` between `before` and now, for the same source. */
async function changesSince(root: string, before: SelectedEntry[], source = '.', limit = FILE_LIST_LIMIT): Promise<string | undefined> {
  return explainSelectionChange(boundedFileList(before, limit), await entriesOf(root, source));
}

/** `count` synthetic entries: `folders` folders with a `src` folder of files each. */
function synthetic(folders: number, filesPerFolder: number): SelectedEntry[] {
  const entries: SelectedEntry[] = [{ path: '', depth: 0, dir: true, own: 'root', tree: 'root' }];
  for (let folder = 0; folder < folders; folder++) {
    const name = `pkg-${String(folder).padStart(4, '0')}`;
    entries.push({ path: name, depth: 1, dir: true, own: 'd', tree: `t${folder}` }, { path: `${name}/src`, depth: 2, dir: true, own: 'd', tree: `s${folder}` });
    for (let file = 0; file < filesPerFolder; file++) entries.push({ path: `${name}/src/file-${file}.js`, depth: 3, dir: false, own: `f${folder}.${file}`, tree: `f${folder}.${file}` });
  }
  return entries;
}

describe('cache/context-files', () => {
  let root: string;
  beforeEach(() => {
    root = tempFolder();
    writeTree(root, { 'a.txt': 'a', 'src/b.txt': 'b', 'src/deep/c.txt': 'c', 'old.txt': 'old' });
  });
  afterEach(() => removeFolder(root));

  it('lists every selected entry by context path, folders with a trailing slash', async () => {
    const list = boundedFileList(await entriesOf(root));
    expect(Object.keys(list.entries).sort()).to.deep.equal(['./', 'a.txt', 'old.txt', 'src/', 'src/b.txt', 'src/deep/', 'src/deep/c.txt']);
    expect(list.folders).to.deep.equal({});
    expect(Object.values(list.entries).every((fingerprint) => /^[a-f0-9]{16}$/.test(fingerprint))).to.equal(true);
    const sub = boundedFileList(await entriesOf(root, 'src'));
    expect(Object.keys(sub.entries).sort()).to.deep.equal(['src/', 'src/b.txt', 'src/deep/', 'src/deep/c.txt']);
  });

  it('names changed, added and removed files, in that order', async () => {
    const before = await entriesOf(root);
    writeFileSync(join(root, 'src/b.txt'), 'B');
    writeFileSync(join(root, 'src/new.txt'), 'new');
    rmSync(join(root, 'old.txt'));
    expect(await changesSince(root, before)).to.equal('src/b.txt changed, src/new.txt added, old.txt removed');
  });

  it('a mode change is a change; mtime alone is none; a folder’s own mode is named, not its files', async () => {
    const before = await entriesOf(root);
    utimesSync(join(root, 'a.txt'), new Date(2001, 0, 1), new Date(2001, 0, 1));
    expect(await changesSince(root, before)).to.equal(undefined);
    chmodSync(join(root, 'a.txt'), 0o600);
    chmodSync(join(root, 'src/deep'), 0o700);
    expect(await changesSince(root, before)).to.equal('a.txt changed, src/deep/ changed');
  });

  it('lists only what the selection saw: a file .dockerignore let in is added', async () => {
    writeFileSync(join(root, '.dockerignore'), 'secret.txt\n.dockerignore\n');
    writeFileSync(join(root, 'secret.txt'), 'x');
    const before = await entriesOf(root);
    expect(Object.keys(boundedFileList(before).entries)).to.not.include('secret.txt');
    writeFileSync(join(root, '.dockerignore'), '.dockerignore\n');
    expect(await changesSince(root, before)).to.equal('secret.txt added');
  });

  it('--exclude patterns apply: an excluded file never shows up', async () => {
    const before = await entriesOf(root, '.', ['*.log']);
    writeFileSync(join(root, 'debug.log'), 'log');
    const list = boundedFileList(await entriesOf(root, '.', ['*.log']));
    expect(explainSelectionChange(boundedFileList(before), await entriesOf(root, '.', ['*.log']))).to.equal(undefined);
    expect(Object.keys(list.entries)).to.not.include('debug.log');
  });

  it('caps the names shown: a few, then "and N more"', () => {
    const changes = { changed: ['a', 'b'], added: ['c', 'd', 'e'], removed: ['f', 'g'] };
    expect(describeFileChanges(changes)).to.equal('a changed, b changed, c added, d added, e added, and 2 more');
    expect(describeFileChanges({ changed: [], added: [], removed: ['x'] })).to.equal('x removed');
    expect(describeFileChanges({ changed: [], added: [], removed: [] })).to.equal(undefined);
  });

  describe('the bound', () => {
    it('a 20,000-file selection keeps at most FILE_LIST_LIMIT entries: its deepest folders stand for their files', () => {
      const entries = synthetic(400, 50);
      expect(entries.length).to.be.above(20_000);
      const list = boundedFileList(entries);
      const count = Object.keys(list.entries).length + Object.keys(list.folders).length;
      expect(count).to.be.at.most(FILE_LIST_LIMIT);
      expect(Object.keys(list.folders)).to.have.length(400);
      expect(list.folders['pkg-0007/src']).to.equal('s7');
      expect(list.entries).to.not.have.property('pkg-0007/src/file-1.js');
      // Stored as JSON: about 40 bytes an entry, whatever the context holds below the kept level.
      expect(canonicalJson(fileListJson(list)).length).to.be.below(60 * count);
    });

    it('a change below a summarized folder is named by the folder', () => {
      const before = boundedFileList(synthetic(400, 50));
      const after = synthetic(400, 50).map((entry) => (entry.path === 'pkg-0007/src' ? { ...entry, tree: 'changed' } : entry));
      expect(explainSelectionChange(before, after)).to.equal('pkg-0007/src/… changed');
    });

    it('compares a new selection at the stored list’s level, even when the new one would fit unfolded', () => {
      const before = boundedFileList(synthetic(3, 10), 10);
      expect(Object.keys(before.folders)).to.deep.equal(['pkg-0000/src', 'pkg-0001/src', 'pkg-0002/src']);
      const after = synthetic(2, 10);
      expect(projectFileList(after, before).folders).to.deep.equal({ 'pkg-0000/src': 's0', 'pkg-0001/src': 's1' });
      expect(explainSelectionChange(before, after)).to.equal('pkg-0002/ removed, pkg-0002/src/… removed');
    });

    it('when the sources alone exceed the limit nothing is listed, and no names are claimed', () => {
      const sources = Array.from({ length: 20 }, (_, n) => ({ path: `f${n}`, depth: 0, dir: false, own: `${n}`, tree: `${n}` }));
      const list = boundedFileList(sources, 10);
      expect(list).to.deep.equal({ entries: {}, folders: {}, omitted: 20 });
      expect(explainSelectionChange(list, sources.slice(1))).to.equal(undefined);
    });
  });

  it('parses what it stores, and nothing else', () => {
    const list = boundedFileList(synthetic(3, 10), 10);
    expect(parseFileList(JSON.parse(JSON.stringify(fileListJson(list))))).to.deep.equal(list);
    expect(parseFileList(undefined)).to.equal(undefined);
    expect(parseFileList({ entries: { a: 1 }, folders: {} })).to.equal(undefined);
    expect(parseFileList({ entries: {} })).to.equal(undefined);
    expect(parseFileList([])).to.equal(undefined);
  });
});
