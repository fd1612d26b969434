import { expect } from 'chai';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { ContextFolder } from '../../cache/context-disk.js';
import { walkVisible, type VisibilityRule, type WalkSource } from '../../cache/context-walk.js';
import { PatternMatcher } from '../../cache/dockerignore.js';
import { readConformanceJson } from '../support/conformance.js';
import { canRunAsNobody, errnoError, removeFolder, runAsNobody, tempFolder, writeTree } from './context-fixtures.js';

interface WalkFilter {
  includePatterns?: string[];
  excludePatterns?: string[];
}

interface WalkCase extends WalkFilter {
  id: string;
  source: string;
  kind: 'walk' | 'walk-nested-filters' | 'open';
  tree: { path: string; type: 'file' | 'dir' }[];
  filters?: WalkFilter[];
  expected?: string[] | null;
  walkExpected?: string[];
  open?: Record<string, 'ok' | 'not-exist'>;
  error?: string | null;
  unreadableDirs?: string[];
  note?: string;
}

function rulesOf(filters: readonly WalkFilter[]): VisibilityRule[] {
  const rules: VisibilityRule[] = [];
  for (const filter of filters) {
    if (filter.includePatterns?.length) rules.push({ matcher: PatternMatcher.create(filter.includePatterns), keep: 'matched' });
    if (filter.excludePatterns?.length) rules.push({ matcher: PatternMatcher.create(filter.excludePatterns), keep: 'unmatched' });
  }
  return rules;
}

function buildTree(root: string, tree: WalkCase['tree']): void {
  writeTree(root, tree.map((item) => (item.type === 'dir' ? item.path + '/' : item.path)));
}

/** A source that answers EACCES for the listed folders, as an unprivileged user would get. */
function withUnreadable(folder: ContextFolder, unreadable: readonly string[]): WalkSource {
  const inside = (path: string) => unreadable.some((dir) => path.startsWith(dir + '/'));
  return {
    readdir: (dir) => (unreadable.includes(dir) ? Promise.reject(errnoError('EACCES', `permission denied, scandir '${dir}'`)) : folder.readdir(dir)),
    lstat: (path) => (inside(path) ? Promise.reject(errnoError('EACCES', `permission denied, lstat '${path}'`)) : folder.lstat(path)),
  };
}

async function walkLines(source: WalkSource, filters: readonly WalkFilter[]): Promise<string[]> {
  const walked = await walkVisible(source, rulesOf(filters));
  return walked.map((item) => `${item.entry.type === 'dir' ? 'dir' : 'file'} ${item.path}`);
}

function expectWalkOutcome(c: WalkCase, outcome: { lines?: string[]; error?: string }): void {
  if (c.error) {
    expect(outcome.error, 'an error').to.be.a('string');
    if (c.error.includes('permission denied')) expect(outcome.error).to.contain('permission denied');
    return;
  }
  expect(outcome.error).to.equal(undefined);
  expect(outcome.lines).to.deep.equal(c.expected);
}

async function runWalkCase(root: string, c: WalkCase, unreadable: readonly string[] = []): Promise<{ lines?: string[]; error?: string }> {
  try {
    const folder = await ContextFolder.open(root);
    return { lines: await walkLines(withUnreadable(folder, unreadable), c.filters ?? [c]) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The same walk in a child process running as nobody, over folders that really are mode 000. */
function runWalkCaseAsNobody(root: string, c: WalkCase): { lines?: string[]; error?: string } {
  const output = runAsNobody(`
    import { ContextFolder } from 'DIST/cache/context-disk.js';
    import { walkVisible } from 'DIST/cache/context-walk.js';
    import { PatternMatcher } from 'DIST/cache/dockerignore.js';
    const include = ${JSON.stringify(c.includePatterns ?? [])};
    const exclude = ${JSON.stringify(c.excludePatterns ?? [])};
    const rules = [];
    if (include.length) rules.push({ matcher: PatternMatcher.create(include), keep: 'matched' });
    if (exclude.length) rules.push({ matcher: PatternMatcher.create(exclude), keep: 'unmatched' });
    try {
      const walked = await walkVisible(await ContextFolder.open(${JSON.stringify(root)}), rules);
      console.log(JSON.stringify({ lines: walked.map((w) => (w.entry.type === 'dir' ? 'dir ' : 'file ') + w.path) }));
    } catch (error) {
      console.log(JSON.stringify({ error: error.message }));
    }`);
  return JSON.parse(output) as { lines?: string[]; error?: string };
}

describe('cache/context-walk: fsutil walk conformance (walk_cases.json)', () => {
  const cases = readConformanceJson<WalkCase[]>('dockerignore', 'walk_cases.json');
  let root: string;
  beforeEach(() => (root = tempFolder()));
  afterEach(() => removeFolder(root));

  it('has all 34 cases', () => expect(cases).to.have.length(34));

  for (const c of cases) {
    const what = c.unreadableDirs ? ` (unreadable ${c.unreadableDirs.join(', ')}, simulated EACCES)` : '';
    it(`${c.id}: ${c.kind} ${c.source.split('#')[1]}${what}`, async () => {
      buildTree(root, c.tree);
      if (c.kind !== 'open') {
        expectWalkOutcome(c, await runWalkCase(root, c, c.unreadableDirs));
        return;
      }
      const visible = new Set((await walkLines(await ContextFolder.open(root), [c])).map((line) => line.split(' ')[1]));
      if (c.walkExpected) expect([...visible].map((path) => `file ${path}`)).to.deep.equal(c.walkExpected);
      const rules = rulesOf([c]);
      for (const [path, expected] of Object.entries(c.open!)) {
        const opens = rules.every((rule) => rule.matcher.matches(path) === (rule.keep === 'matched'));
        expect(opens ? 'ok' : 'not-exist', `open ${path}`).to.equal(expected);
        expect(visible.has(path) ? 'ok' : 'not-exist', `walk lists ${path}`).to.equal(expected);
      }
    });

    if (!c.unreadableDirs) continue;
    it(`${c.id}: [root] ${c.source.split('#')[1]} with real mode-000 folders, walked as nobody`, function () {
      if (!canRunAsNobody) this.skip();
      buildTree(root, c.tree);
      for (const dir of c.unreadableDirs!) chmodSync(join(root, dir), 0o000);
      expectWalkOutcome(c, runWalkCaseAsNobody(root, c));
    });
  }
});
