import { expect } from 'chai';
import { chmodSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describeContext, formatEntry } from '../../cache/context-report.js';
import { removeFolder, tempFolder, writeTree } from './context-fixtures.js';

describe('cache/context-report: what `tsbuild context` shows', () => {
  let root: string;
  before(() => {
    root = tempFolder();
    writeTree(root, { '.dockerignore': 'secret.txt\nlogs\n!logs/keep\n', 'secret.txt': 's', 'app/run': '#!', 'logs/a': 'a', 'logs/keep': 'k' });
    chmodSync(join(root, 'app/run'), 0o4755);
    symlinkSync('app/run', join(root, 'run'));
  });
  after(() => removeFolder(root));

  it('lists the visible entries with totals and the ignore file used', async () => {
    const report = await describeContext(root);
    expect(report.entries.map((entry) => entry.path)).to.deep.equal(['.dockerignore', 'app', 'app/run', 'logs', 'logs/keep', 'run']);
    expect(report.totals).to.deep.equal({ files: 3, dirs: 2, symlinks: 1, other: 0, bytes: 30 });
    expect(report.ignoreFile.path).to.equal(join(root, '.dockerignore'));
    expect(report.explanation).to.equal(undefined);
  });

  it('explains an ignored path', async () => {
    const { explanation } = await describeContext(root, { explain: 'secret.txt' });
    expect(explanation).to.include({ path: 'secret.txt', matched: true, visible: false, summary: 'excluded by "secret.txt" (.dockerignore:1)' });
  });

  it('explains a re-included path inside an excluded folder', async () => {
    const { explanation } = await describeContext(root, { explain: '/logs/keep' });
    expect(explanation).to.include({ path: 'logs/keep', matched: false, visible: true, summary: 'included again by "!logs/keep" (.dockerignore:3)' });
  });

  it('says when no pattern matched', async () => {
    const { explanation } = await describeContext(root, { explain: 'app/run' });
    expect(explanation).to.include({ matched: false, visible: true, summary: 'no pattern matched' });
  });

  it('formats an entry like ls -l', async () => {
    const report = await describeContext(root);
    const lines = report.entries.filter((entry) => entry.path === 'app/run' || entry.path === 'run').map(formatEntry);
    expect(lines[0]).to.match(/^-rwsr-xr-x \d+:\d+ +2 app\/run$/);
    expect(lines[1]).to.match(/^lrwxrwxrwx \d+:\d+ +0 run -> app\/run$/);
  });
});
