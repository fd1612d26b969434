import { expect } from 'chai';
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildContext } from '../../cache/context.js';
import { readConformanceJson } from '../support/conformance.js';
import { canRunAsNobody, removeFolder, runAsNobody, tempFolder, writeTree } from './context-fixtures.js';

interface ContextCase {
  id: string;
  source: string;
  contextFiles: string[];
  dockerignore: string | null;
  dockerignoreBase64?: string;
  dockerfileFlag?: string;
  dockerfileFromStdin?: string;
  expectPresent: string[];
  expectAbsent: string[];
  expectError?: boolean;
  errorContains?: string;
  expectExactListing?: Record<string, string[]>;
  unreadable?: Record<string, string>;
}

function buildContextCase(root: string, c: ContextCase): void {
  writeTree(root, c.contextFiles);
  const ignore = c.dockerignoreBase64 ? Buffer.from(c.dockerignoreBase64, 'base64') : c.dockerignore;
  if (ignore !== null) writeFileSync(join(root, '.dockerignore'), ignore);
  if (c.unreadable) {
    chmodSync(join(root, 'directoryWeCantStat/bar'), 0o700);
    chmodSync(join(root, 'directoryWeCantStat'), 0o444);
  }
}

function contextOptions(root: string, c: ContextCase) {
  if (c.dockerfileFromStdin) return { dockerfileFromStdin: true };
  return c.dockerfileFlag ? { dockerfile: join(root, c.dockerfileFlag) } : {};
}

describe('cache/context: docker build context filtering (context_cases.json)', () => {
  const { cases } = readConformanceJson<{ cases: ContextCase[] }>('dockerignore', 'context_cases.json');
  let root: string;
  beforeEach(() => (root = tempFolder()));
  afterEach(() => removeFolder(root));

  it('has all 21 cases', () => expect(cases).to.have.length(21));

  for (const c of cases) {
    it(`${c.id}: ${c.source.split('#')[1]}`, async () => {
      buildContextCase(root, c);
      if (c.expectError) {
        const failure = await BuildContext.open(root, contextOptions(root, c)).then(() => undefined, (error: Error) => error);
        expect(failure?.message).to.contain(c.errorContains);
        return;
      }
      const context = await BuildContext.open(root, contextOptions(root, c));
      for (const path of c.expectPresent) expect(context.entry(path), `${path} present`).to.not.equal(undefined);
      for (const path of c.expectAbsent) expect(context.entry(path), `${path} absent`).to.equal(undefined);
      for (const listing of Object.values(c.expectExactListing ?? {})) {
        expect([...context.children('')].sort()).to.deep.equal([...listing].sort());
      }
    });

    if (!c.unreadable) continue;
    it(`${c.id}: [root] the unreadable ignored folder, opened as nobody`, function () {
      if (!canRunAsNobody) this.skip();
      buildContextCase(root, c);
      const output = runAsNobody(`
        import { BuildContext } from 'DIST/cache/context.js';
        const context = await BuildContext.open(${JSON.stringify(root)});
        console.log(JSON.stringify(context.entries.map((entry) => entry.path)));`);
      expect(JSON.parse(output)).to.deep.equal(['.dockerignore', 'Dockerfile']);
    });
  }
});

describe('cache/context: the ignore file itself', () => {
  let root: string;
  beforeEach(() => (root = tempFolder()));
  afterEach(() => removeFolder(root));

  it('<Dockerfile>.dockerignore beside the Dockerfile wins over .dockerignore (dibuild-03)', async () => {
    writeTree(root, { foo: 'contents0', bar: 'contents0', 'Dockerfile.dockerignore': '\nbar\n', 'Dockerfile2.dockerignore': '\nfoo\n', '.dockerignore': 'foo\nbar\n' });
    const first = await BuildContext.open(root, { dockerfile: join(root, 'Dockerfile') });
    expect([first.entry('foo') !== undefined, first.entry('bar') !== undefined]).to.deep.equal([true, false]);
    const second = await BuildContext.open(root, { dockerfile: join(root, 'Dockerfile2') });
    expect([second.entry('foo') !== undefined, second.entry('bar') !== undefined]).to.deep.equal([false, true]);
    expect(second.ignoreFile.name).to.equal('Dockerfile2.dockerignore');
  });

  it('finds <name>.dockerignore beside a Dockerfile outside the context', async () => {
    const elsewhere = tempFolder();
    try {
      writeTree(root, { foo: 'x', bar: 'y' });
      writeTree(elsewhere, { 'build.Dockerfile': 'FROM scratch', 'build.Dockerfile.dockerignore': 'foo' });
      const context = await BuildContext.open(root, { dockerfile: join(elsewhere, 'build.Dockerfile') });
      expect(context.entries.map((entry) => entry.path)).to.deep.equal(['bar']);
    } finally {
      removeFolder(elsewhere);
    }
  });

  it('names the per-Dockerfile ignore file after the symlink, not its target (compose#13014)', async () => {
    writeTree(root, { 'real.Dockerfile': 'FROM scratch', foo: 'x', bar: 'y', 'link.Dockerfile.dockerignore': 'foo', 'real.Dockerfile.dockerignore': 'bar' });
    symlinkSync('real.Dockerfile', join(root, 'link.Dockerfile'));
    const context = await BuildContext.open(root, { dockerfile: join(root, 'link.Dockerfile') });
    expect(context.entry('foo')).to.equal(undefined);
    expect(context.entry('bar')).to.not.equal(undefined);
  });

  it('does not read a .dockerignore that is a symlink leading out of the context (podman#16315)', async () => {
    const outside = tempFolder();
    try {
      writeFileSync(join(outside, 'marker.ignore'), 'secret.txt\n');
      writeTree(root, { 'secret.txt': 's', Dockerfile: 'FROM scratch' });
      symlinkSync(join(outside, 'marker.ignore'), join(root, '.dockerignore'));
      const context = await BuildContext.open(root);
      expect(context.entry('secret.txt'), 'the marker pattern had no effect').to.not.equal(undefined);
      expect(context.ignoreFile.skipped.map((item) => item.reason)).to.deep.equal(['it resolves outside the build context']);
    } finally {
      removeFolder(outside);
    }
  });

  it('reads a .dockerignore that is a symlink inside the context', async () => {
    writeTree(root, { 'conf/ignore': 'secret.txt\n', 'secret.txt': 's' });
    symlinkSync('conf/ignore', join(root, '.dockerignore'));
    const context = await BuildContext.open(root);
    expect(context.entry('secret.txt')).to.equal(undefined);
  });

  it('lets the build read an ignored Dockerfile and .dockerignore, but not COPY them', async () => {
    writeTree(root, { Dockerfile: 'FROM scratch\nCOPY . .\n', '.dockerignore': 'Dockerfile\n.dockerignore\n', foo: 'x' });
    const context = await BuildContext.open(root);
    expect(context.entries.map((entry) => entry.path)).to.deep.equal(['foo']);
    expect((await context.readUnfiltered('Dockerfile')).toString()).to.equal('FROM scratch\nCOPY . .\n');
    expect((await context.readUnfiltered('.dockerignore')).toString()).to.contain('Dockerfile');
    const failure = await context.select('Dockerfile').catch((error: Error & { code?: string }) => error);
    expect((failure as Error & { code?: string }).code).to.equal('E_NOT_FOUND');
    expect((failure as Error).message).to.contain('excluded by "Dockerfile" (.dockerignore:1)');
  });
});

describe('cache/context: explain', () => {
  let root: string;
  before(async () => {
    root = tempFolder();
    writeTree(root, { '.dockerignore': '# secrets\n*.pem\n!keep.pem\nnode_modules\n', 'a.pem': 'a', 'keep.pem': 'k', 'node_modules/x/y.js': 'y', 'src/app.js': 'z' });
  });
  after(() => removeFolder(root));

  const cases: [string, boolean, string][] = [
    ['a.pem', true, 'excluded by "*.pem" (.dockerignore:2)'],
    ['keep.pem', false, 'included again by "!keep.pem" (.dockerignore:3)'],
    ['node_modules/x/y.js', true, 'excluded by "node_modules" (.dockerignore:4) (through node_modules)'],
    ['/src/app.js', false, 'no pattern matched'],
  ];
  for (const [path, matched, summary] of cases) {
    it(`${path}: ${summary}`, async () => {
      const explanation = (await BuildContext.open(root)).explain(path);
      expect(explanation.matched).to.equal(matched);
      expect(explanation.summary).to.equal(summary);
    });
  }
});

describe('cache/context: entries', () => {
  let root: string;
  beforeEach(() => (root = tempFolder()));
  afterEach(() => removeFolder(root));

  it('records type, mode, owner, size and link target; never mtime-dependent fields in the shape', async () => {
    writeTree(root, { 'bin/run': '#!/bin/sh\n', 'data.txt': 'hello' });
    chmodSync(join(root, 'bin/run'), 0o4755);
    symlinkSync('data.txt', join(root, 'link'));
    const context = await BuildContext.open(root);
    const run = context.entry('bin/run')!;
    expect([run.type, run.mode, run.size]).to.deep.equal(['file', 0o4755, 10]);
    expect(context.entry('bin')!.type).to.equal('dir');
    const link = context.entry('link')!;
    expect([link.type, link.linkTarget, link.size]).to.deep.equal(['symlink', 'data.txt', 0]);
    expect(context.entries.map((entry) => entry.path)).to.deep.equal(['bin', 'bin/run', 'data.txt', 'link']);
  });

  it('lists names in byte order per folder, parents first (fsutil order)', async () => {
    writeTree(root, ['foo/bar', 'foo.txt', 'foo-x', 'Z', 'é', '\u{1F600}', '\uFFFD']);
    const context = await BuildContext.open(root);
    expect(context.entries.map((entry) => entry.path)).to.deep.equal(['Z', 'foo', 'foo/bar', 'foo-x', 'foo.txt', 'é', '\uFFFD', '\u{1F600}']);
  });

  it('refuses a visible file whose name is not valid UTF-8, and ignores an ignored one', async () => {
    writeFileSync(Buffer.concat([Buffer.from(join(root, 'bad-'), 'utf8'), Buffer.from([0xff])]), 'x');
    const failure = (await BuildContext.open(root).catch((error: unknown) => error)) as Error & { code?: string };
    expect(failure.code).to.equal('E_CONTEXT');
    expect(failure.message).to.contain('not valid UTF-8');
    writeFileSync(join(root, '.dockerignore'), 'bad-*\n');
    expect((await BuildContext.open(root)).entries.map((entry) => entry.path)).to.deep.equal(['.dockerignore']);
  });

  it('fails with E_NOT_FOUND for a missing context folder', async () => {
    const failure = await BuildContext.open(join(root, 'missing')).catch((error: { code?: string }) => error);
    expect((failure as { code?: string }).code).to.equal('E_NOT_FOUND');
  });

  it('rejects an invalid .dockerignore with E_CONTEXT naming the line', async () => {
    writeTree(root, { '.dockerignore': 'ok\n[\n' });
    const failure = (await BuildContext.open(root).catch((error: unknown) => error)) as Error & { code?: string };
    expect(failure.code).to.equal('E_CONTEXT');
    expect(failure.message).to.contain('.dockerignore:2');
  });

  it('keeps an empty folder and a re-included file inside an excluded folder', async () => {
    writeTree(root, { 'empty/': '', 'dir/keep': 'k', 'dir/drop': 'd', '.dockerignore': 'dir\n!dir/keep\n' });
    const context = await BuildContext.open(root);
    expect(context.entries.map((entry) => entry.path)).to.deep.equal(['.dockerignore', 'dir', 'dir/keep', 'empty']);
    expect(readFileSync(join(root, 'dir/keep'), 'utf8')).to.equal('k');
  });
});
