import { expect } from 'chai';
import { cleanPath } from '../../cache/context-path.js';
import { IgnorePatternError, PatternMatcher, readIgnoreFile, type PathVerdict } from '../../cache/dockerignore.js';
import { translatePattern } from '../../cache/ignore-pattern.js';
import { readConformanceJson } from '../support/conformance.js';

interface MatchCase {
  id: string;
  api: string;
  pathCleaned: boolean;
  patterns: string[];
  path: string;
  excluded: boolean;
  error: string | null;
  platforms: string;
  note?: string;
}

interface IgnoreFileCases {
  readAll: { input: string | null; expected: string[] }[];
  newPatternList: { source: string; patterns: string[]; error: string | null; activePatternCount?: number; hasExclusions?: boolean }[];
}

interface CompileCases {
  cases: { pattern: string; matchType: string; regexpSlash: string | null }[];
}

/** Upstream's walk-style APIs: verdicts for each parent directory first, then the path. */
function walkVerdict(matcher: PatternMatcher, path: string): boolean {
  const parent = path.split('/').slice(0, -1);
  let verdict: PathVerdict | undefined;
  for (let n = 1; n <= parent.length; n++) verdict = matcher.verdict(parent.slice(0, n).join('/'), verdict);
  return matcher.verdict(path, verdict).matched;
}

function expectMatchError(run: () => unknown, error: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (caught) {
    thrown = caught;
  }
  expect(thrown, 'an error').to.be.instanceOf(IgnorePatternError);
  const failure = thrown as IgnorePatternError;
  expect(failure.code).to.equal('E_CONTEXT');
  if (error === 'ErrBadPattern') expect(failure.reason).to.equal('bad-pattern');
  else expect(failure.message).to.contain(error);
}

describe('cache/dockerignore: moby/patternmatcher conformance (cases.json)', () => {
  const cases = readConformanceJson<MatchCase[]>('dockerignore', 'cases.json');

  it('has all 138 cases', () => expect(cases).to.have.length(138));

  for (const c of cases) {
    const title = `${c.id}: ${JSON.stringify(c.patterns)} ${JSON.stringify(c.path)} → ${c.error ?? (c.excluded ? 'excluded' : 'kept')}`;
    it(title, () => {
      const path = c.pathCleaned ? cleanPath(c.path) : c.path;
      const decide = () => (path === '.' && c.pathCleaned ? false : PatternMatcher.create(c.patterns).matches(path));
      if (c.error !== null) {
        expectMatchError(decide, c.error);
        expectMatchError(decide, c.error); // and again: a failed compile is not cached as success
        return;
      }
      expect(decide()).to.equal(c.excluded);
      if (path !== '.') expect(walkVerdict(PatternMatcher.create(c.patterns), path), 'walk-style verdict').to.equal(c.excluded);
    });
  }
});

describe('cache/dockerignore: reading ignore files (ignorefile_cases.json)', () => {
  const { readAll, newPatternList } = readConformanceJson<IgnoreFileCases>('dockerignore', 'ignorefile_cases.json');

  readAll.forEach((c, i) => {
    it(`readAll #${i + 1}: ${JSON.stringify(c.input)}`, () => {
      expect(readIgnoreFile(c.input).map((line) => line.pattern)).to.deep.equal(c.expected);
    });
  });

  newPatternList.forEach((c, i) => {
    it(`newPatternList #${i + 1}: ${JSON.stringify(c.patterns)} (${c.source.split('#')[1]})`, () => {
      if (c.error !== null) {
        expectMatchError(() => PatternMatcher.create(c.patterns), c.error);
        return;
      }
      const matcher = PatternMatcher.create(c.patterns);
      if (c.activePatternCount !== undefined) expect(matcher.rules).to.have.length(c.activePatternCount);
      if (c.hasExclusions !== undefined) expect(matcher.hasExceptions).to.equal(c.hasExclusions);
    });
  });
});

describe('cache/dockerignore: pattern kinds and regexp text (compile_cases.json)', () => {
  const { cases } = readConformanceJson<CompileCases>('dockerignore', 'compile_cases.json');
  for (const c of cases) {
    it(`${c.pattern} → ${c.matchType}${c.regexpSlash ? ' ' + c.regexpSlash : ''}`, () => {
      const translation = translatePattern(c.pattern);
      expect(translation.kind).to.equal(c.matchType);
      expect(translation.regexp ?? null).to.equal(c.regexpSlash);
    });
  }
});

describe('cache/dockerignore: reading details beyond the corpus', () => {
  const cases: [string, string | Uint8Array, string[]][] = [
    ['strips a UTF-8 BOM on the first line only', '\uFEFF./Dockerfile\n\uFEFFx', ['Dockerfile', '\uFEFFx']],
    ['a BOM given as bytes', Buffer.from('efbbbf2e2f446f636b657266696c650a', 'hex'), ['Dockerfile']],
    ['comments only at column 1', '# c\n  #2\n#1', ['#2']],
    ['CRLF line ends', 'a\r\n!b\r\n', ['a', '!b']],
    ['cleans ./, //, .. and trailing /', './foo\ndir1//foo\n./dir1/../foo2\ndocs/', ['foo', 'dir1/foo', 'foo2', 'docs']],
    ['a lone / stays /', '/', ['/']],
    ['keeps a lone ! for the matcher to reject', '!\n ! ', ['!', '!']],
    ['Go whitespace, not JavaScript whitespace', '\u0085a\u0085', ['a']],
  ];
  for (const [title, input, expected] of cases) {
    it(title, () => expect(readIgnoreFile(input).map((line) => line.pattern)).to.deep.equal(expected));
  }

  it('records the line each pattern came from', () => {
    expect(readIgnoreFile('# x\n\nfoo\n!bar')).to.deep.equal([
      { pattern: 'foo', line: 3 },
      { pattern: '!bar', line: 4 },
    ]);
  });

  it('names the file and line of a lone !', () => {
    expect(() => PatternMatcher.create(readIgnoreFile('a\n!\n'), '.dockerignore')).to.throw(IgnorePatternError, '.dockerignore:2: illegal exclusion pattern: "!"');
  });
});

describe('cache/dockerignore: Docker quirks we keep on purpose', () => {
  const cases: [string, string[], string, boolean][] = [
    ['[!x] is the class of "!" and "x", not a negation', ['[!x]'], '!', true],
    ['[!x] does not match "y"', ['[!x]'], 'y', false],
    ['[^x] is a negation', ['[^x]'], 'y', true],
    ['**file matches any name ending in "file"', ['**file'], 'dir/myfile', true],
    ['a * inside [...] closes the class early, as Go parses the regexp', ['[*]'], ']', true],
    ['... and so [*] does not match "*"', ['[*]'], '*', false],
    ['POSIX classes work through the regexp', ['[[:digit:]]x'], '7x', true],
    ['\\? is a literal ?', ['file\\?B'], 'file?B', true],
    ['. is literal', ['dir5/file.'], 'dir5/fileA', false],
    ['** does not cross a newline in a name (Go regexp `.`)', ['a/**/b'], 'a/x\ny/b', false],
    ['a ^ after the start never matches', ['a*^b'], 'a^b', false],
    ['a rule that cannot change the verdict is not evaluated, so it raises no error', ['*', '[z-a]*'], 'x', true],
  ];
  for (const [title, patterns, path, excluded] of cases) {
    it(title, () => expect(PatternMatcher.create(patterns).matches(path)).to.equal(excluded));
  }

  it('rejects escapes that only a regexp would understand, as a bad pattern', () => {
    expect(() => PatternMatcher.create(['a\\pL']).matches('apL')).to.throw(IgnorePatternError, 'syntax error');
  });

  it('matches in linear time (no backtracking blow-up)', () => {
    const matcher = PatternMatcher.create(['*a*a*a*a*a*a*a*a*a*a*b', '**/**/**/**/**/**/**/**/x']);
    const name = 'a'.repeat(20000);
    const started = Date.now();
    expect(matcher.matches(name)).to.equal(false);
    expect(matcher.matches(Array(2000).fill('d').join('/') + '/y')).to.equal(false);
    expect(Date.now() - started).to.be.below(2000);
  });
});

describe('cache/dockerignore: explain (which pattern decided)', () => {
  const matcher = PatternMatcher.create(readIgnoreFile('.git\n*.md\n!README.md\ndocs/**\n'), '.dockerignore');
  const cases: [string, boolean, string | undefined, number | undefined, string | undefined][] = [
    ['src/x.go', false, undefined, undefined, undefined],
    ['.git/HEAD', true, '.git', 1, '.git'],
    ['NOTES.md', true, '*.md', 2, 'NOTES.md'],
    ['README.md', false, '!README.md', 3, 'README.md'],
    ['docs/a/b', true, 'docs/**', 4, 'docs/a/b'],
  ];
  for (const [path, matched, source, line, matchedPath] of cases) {
    it(`${path} → ${source ?? 'no pattern matched'}`, () => {
      const explanation = matcher.explain(path);
      expect(explanation.matched).to.equal(matched);
      expect(explanation.rule?.source).to.equal(source);
      expect(explanation.rule?.line).to.equal(line);
      expect(explanation.matchedPath).to.equal(matchedPath);
    });
  }
});

describe('cache/dockerignore: can a walk skip an excluded directory?', () => {
  const cases: [string, string[], string, boolean][] = [
    ['no exceptions: skip', ['foo'], 'foo', false],
    ['an exception inside: enter', ['foo', '!foo/bar'], 'foo', true],
    ['an exception elsewhere: skip', ['foo', '!other/bar'], 'foo', false],
    ['a wildcard exception that can match inside: enter', ['dir', '!dir/e*'], 'dir', true],
    ['a wildcard exception that cannot match inside: skip', ['dir', '!src/*.go'], 'dir', false],
    ['an exception before the deciding rule: skip', ['!foo/bar', 'foo'], 'foo', false],
    ['a ** exception: enter', ['**', '!**/*.cc'], 'a', true],
    ['a kept directory where a later rule may exclude something: true', ['**/bar', '!foo/bar'], 'foo', true],
  ];
  for (const [title, patterns, dir, enter] of cases) {
    it(title, () => {
      const matcher = PatternMatcher.create(patterns);
      const verdict = matcher.verdict(dir);
      expect(matcher.mayFlipInside(dir, verdict)).to.equal(enter);
    });
  }
});
