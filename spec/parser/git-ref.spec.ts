// Git references against the shared corpus (gitref/cases.json), plus source classification.
import { expect } from 'chai';
import { classifyAddSource, gitFragmentFormat, isHttpSource, parseGitRef } from '../../parser/git-ref.js';
import { readConformanceJson } from '../support/conformance.js';

interface GitRefCase {
  ref: string;
  isGit: boolean;
  errorContains?: string;
  expected?: Record<string, string | boolean>;
}

interface GitRefCorpus {
  parseGitRef: { cases: GitRefCase[] };
  fragmentFormat: { cases: { ref: string; expected: string; ok: boolean }[] };
  fragmentFormatWithSubdir: { cases: { ref: string; expected: string; ok: boolean }[] };
}

const corpus = readConformanceJson<GitRefCorpus>('gitref', 'cases.json');

describe('conformance: gitref/cases.json', () => {
  describe('parseGitRef', () => {
    for (const testCase of corpus.parseGitRef.cases) {
      it(`${JSON.stringify(testCase.ref)} → ${testCase.isGit ? 'git' : `not git${testCase.errorContains ? ` (${testCase.errorContains})` : ''}`}`, () => {
        const parsed = parseGitRef(testCase.ref);
        if (!testCase.isGit) {
          // Upstream signals "not a usable Git ref" by an error: either not Git at all or malformed.
          expect('ref' in parsed, 'should not yield a ref').to.equal(false);
          if (testCase.errorContains) expect('error' in parsed ? parsed.error : '').to.contain(testCase.errorContains);
          return;
        }
        if (!('ref' in parsed)) expect.fail(`expected a ref, got ${JSON.stringify(parsed)}`);
        const { keepGitDir: _keep, submodules: _sub, ...fields } = parsed.ref;
        expect(fields).to.deep.equal(testCase.expected);
      });
    }
  });

  describe('fragmentFormat', () => {
    for (const testCase of corpus.fragmentFormat.cases) {
      it(JSON.stringify(testCase.ref), () => {
        expect(gitFragmentFormat(testCase.ref, false)).to.deep.equal({ value: testCase.expected, ok: testCase.ok });
      });
    }
  });

  describe('fragmentFormatWithSubdir', () => {
    for (const testCase of corpus.fragmentFormatWithSubdir.cases) {
      it(JSON.stringify(testCase.ref), () => {
        expect(gitFragmentFormat(testCase.ref, true)).to.deep.equal({ value: testCase.expected, ok: testCase.ok });
      });
    }
  });
});

describe('Git references: our own cases', () => {
  it('reads keep-git-dir and submodules switches', () => {
    const parsed = parseGitRef('https://host/r.git?keep-git-dir&submodules=false');
    expect('ref' in parsed && parsed.ref).to.include({ keepGitDir: true, submodules: false });
  });

  it('rejects repeated, empty and unknown query keys', () => {
    expect(parseGitRef('https://host/r.git?ref=a&ref=b')).to.deep.equal({ isGit: true, error: 'query "ref" has multiple values' });
    expect(parseGitRef('https://host/r.git?ref=')).to.deep.equal({ isGit: true, error: 'query "ref" has no value' });
    expect(parseGitRef('https://host/r.git?x=1')).to.deep.equal({ isGit: true, error: 'unexpected query "x"' });
  });

  it('cleans the fragment subdir and supports ssh:// and scp-style remotes', () => {
    const parsed = parseGitRef('ssh://git@host/org/repo.git#main:a/../b/');
    expect('ref' in parsed && parsed.ref).to.include({ remote: 'ssh://git@host/org/repo.git', ref: 'main', subDir: 'b', shortName: 'repo' });
  });

  it('refuses unknown schemes and relative paths', () => {
    expect(parseGitRef('ftp://host/repo.git')).to.deep.equal({ isGit: false, error: 'ftp: invalid protocol' });
    expect(parseGitRef('../repo.git')).to.deep.equal({ isGit: false });
    expect(parseGitRef('repo.git')).to.deep.equal({ isGit: false });
  });

  it('classifies ADD sources as BuildKit does', () => {
    expect(classifyAddSource('https://github.com/moby/buildkit.git#v1').kind).to.equal('git');
    expect(classifyAddSource('git@github.com:moby/buildkit.git').kind).to.equal('git');
    expect(classifyAddSource('github.com/moby/buildkit').kind).to.equal('local');
    expect(classifyAddSource('https://example.com/file.tar.gz').kind).to.equal('http');
    expect(classifyAddSource('src/file.txt').kind).to.equal('local');
    expect(() => classifyAddSource('https://host/r.git?tag=a&branch=b')).to.throw('branch conflicts with tag');
    expect(isHttpSource('http://example.com/x.git')).to.equal(false);
  });
});
