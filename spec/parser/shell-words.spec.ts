// BuildKit's shell lexer tests (moby/buildkit frontend/dockerfile/shell), run against
// parser/shell-words.ts: the envVarTest and wordsTest data files and the cases transcribed from
// lex_test.go (see conformance/shell/FORMAT.md). Windows-only (`W`) lines are skipped: on Linux,
// variable names are case-sensitive.
import { expect } from 'chai';
import { PatternAutomaton, PatternMatchBudget } from '../../parser/shell-pattern-matcher.js';
import {
  ANY_CHARACTER,
  ANY_RUN,
  parseShellPattern,
  PatternSyntaxError,
  reverseShellPattern,
  type PatternToken,
} from '../../parser/shell-patterns.js';
import {
  envFromAssignments,
  envFromEntries,
  expandWord,
  expandWords,
  WordExpansionError,
} from '../../parser/shell-words.js';
import { readConformanceJson } from '../support/conformance.js';

interface EnvVarFile {
  env: Record<string, string>;
  cases: { line: number; platform: 'A' | 'U' | 'W'; input: string; expectError: boolean; expected?: string }[];
}

interface WordsFile {
  cases: { line: number; env: string[]; input: string; expectError: boolean; expectedWords?: string[] }[];
}

interface CasesFile {
  wordCases: {
    id: string;
    escape: '\\' | '`';
    input: string;
    env: Record<string, string>;
    expectError: boolean;
    expected?: string;
    matched?: string[];
    unmatched?: string[];
    errorContains?: string;
  }[];
  envLookup: { cases: { envList: string[]; lookup: string; expected: string }[] };
  internal: {
    shellPatternToRegex: { valid: { pattern: string; regexp: string }[]; invalid: string[] };
    reversePattern: { cases: { pattern: string; reversed: string }[] };
    reverseString: { cases: { input: string; expected: string }[] };
  };
}

const envVarFile = readConformanceJson<EnvVarFile>('shell', 'envVarTest.json');
const wordsFile = readConformanceJson<WordsFile>('shell', 'wordsTest.json');
const casesFile = readConformanceJson<CasesFile>('shell', 'cases.json');

describe('shell words: BuildKit conformance', () => {
  describe('envVarTest (expandWord, backslash escape)', () => {
    const env = envFromEntries(envVarFile.env);
    const unixCases = envVarFile.cases.filter((testCase) => testCase.platform !== 'W');

    it('has the 226 all-platform and 2 Unix-only lines', () => {
      expect(unixCases.filter((testCase) => testCase.platform === 'A')).to.have.length(226);
      expect(unixCases.filter((testCase) => testCase.platform === 'U')).to.have.length(2);
    });

    for (const { line, platform, input, expectError, expected } of unixCases) {
      it(`line ${line} (${platform}): ${JSON.stringify(input)}`, () => {
        if (expectError) expect(() => expandWord(input, env)).to.throw(WordExpansionError);
        else expect(expandWord(input, env).value).to.equal(expected ?? '');
      });
    }
  });

  describe('wordsTest (expandWords)', () => {
    it('has 24 cases', () => expect(wordsFile.cases).to.have.length(24));

    for (const { line, env, input, expectError, expectedWords } of wordsFile.cases) {
      it(`line ${line}: ${JSON.stringify(input)}`, () => {
        const variables = envFromAssignments(env);
        if (expectError) expect(() => expandWords(input, variables)).to.throw(WordExpansionError);
        else expect(expandWords(input, variables).words).to.deep.equal(expectedWords);
      });
    }
  });

  describe('lex_test.go word cases (expandWord with matches)', () => {
    it('has 56 cases', () => expect(casesFile.wordCases).to.have.length(56));

    for (const testCase of casesFile.wordCases) {
      it(`${testCase.id}: ${JSON.stringify(testCase.input)} with ${JSON.stringify(testCase.env)}`, () => {
        const env = envFromEntries(testCase.env);
        const options = { escapeToken: testCase.escape };
        if (testCase.expectError) {
          expect(() => expandWord(testCase.input, env, options))
            .to.throw(WordExpansionError)
            .with.property('message')
            .that.contains(testCase.errorContains ?? '');
          return;
        }
        const result = expandWord(testCase.input, env, options);
        expect(result.value).to.equal(testCase.expected);
        if (testCase.matched) expect([...result.matched].sort()).to.deep.equal(testCase.matched);
        if (testCase.unmatched) expect([...result.unmatched].sort()).to.deep.equal(testCase.unmatched);
      });
    }
  });

  describe('TestGetEnv (envFromAssignments)', () => {
    for (const { envList, lookup, expected } of casesFile.envLookup.cases) {
      it(`${JSON.stringify(envList)} looks up ${lookup} as ${JSON.stringify(expected)}`, () => {
        expect(envFromAssignments(envList).get(lookup) ?? '').to.equal(expected);
      });
    }
  });

  describe('internal helpers, through our equivalents', () => {
    // BuildKit converts a pattern to a Go regexp; we parse it to tokens. Writing the tokens the
    // way BuildKit writes its regexp (anchored, greedy) shows both read the pattern the same way.
    for (const { pattern, regexp } of casesFile.internal.shellPatternToRegex.valid) {
      it(`pattern ${JSON.stringify(pattern)} reads as ${JSON.stringify(regexp)}`, () => {
        expect(`^${parseShellPattern(pattern).map(tokenAsGoRegexp).join('')}`).to.equal(regexp);
      });
    }

    for (const pattern of casesFile.internal.shellPatternToRegex.invalid) {
      it(`pattern ${JSON.stringify(pattern)} is invalid`, () => {
        expect(() => parseShellPattern(pattern)).to.throw(PatternSyntaxError, 'invalid escape');
      });
    }

    for (const { pattern, reversed } of casesFile.internal.reversePattern.cases) {
      it(`pattern ${JSON.stringify(pattern)} reverses to ${JSON.stringify(reversed)}`, () => {
        expect(reverseShellPattern(pattern)).to.equal(reversed);
      });
    }

    // BuildKit reverses the value to match suffixes; we read it backwards instead. Reading the
    // input backwards must give the expected reversed string, one whole code point at a time.
    for (const { input, expected } of casesFile.internal.reverseString.cases) {
      it(`${JSON.stringify(input)} read backwards is ${JSON.stringify(expected)}`, () => {
        const literal = Array.from(expected, (char) => char.codePointAt(0) ?? 0);
        const automaton = new PatternAutomaton(literal, new PatternMatchBudget());
        expect(automaton.matchAnchored(input, input.length, -1, false)).to.equal(input.length);
      });
    }
  });
});

function tokenAsGoRegexp(token: PatternToken): string {
  if (token === ANY_RUN) return '.*';
  if (token === ANY_CHARACTER) return '.';
  const char = String.fromCodePoint(token);
  return '*?\\[]{}.+()|^$'.includes(char) ? `\\${char}` : char;
}
