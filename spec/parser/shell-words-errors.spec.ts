// BuildKit's exact error texts for words it cannot expand, including how an error deep inside
// `${...}` is reported (an error that leaves nothing to read becomes "missing '}'"). Every
// expected message was produced by BuildKit's own lexer (frontend/dockerfile/shell at 73ed6825c).
import { expect } from 'chai';
import { envFromEntries, expandWord, WordExpansionError } from '../../parser/shell-words.js';

interface ErrorCase {
  why: string;
  input: string;
  env?: Record<string, string>;
  error: string;
}

const CASES: ErrorCase[] = [
  {
    why: 'error: a name followed by the end',
    input: 'he${PWD',
    env: { PWD: '/home' },
    error: 'failed to process "he${PWD": unsupported modifier (�) in substitution',
  },
  {
    why: 'error: ${X: at the end',
    input: '${X:',
    error: 'failed to process "${X:": syntax error: missing \'}\'',
  },
  {
    why: 'error: ${FOO:} reads on to a missing }',
    input: '${FOO:}',
    env: { FOO: 'x' },
    error: 'failed to process "${FOO:}": syntax error: missing \'}\'',
  },
  {
    why: 'error: ${FOO:}...} is an unsupported modifier',
    input: '${FOO:}abc}',
    env: { FOO: 'x' },
    error: 'failed to process "${FOO:}abc}": unsupported modifier (:}) in substitution',
  },
  {
    why: 'error: invalid escape in a # pattern',
    input: '${FOO#ab\\x}',
    env: { FOO: 'abc' },
    error: 'failed to process "${FOO#ab\\\\x}": invalid pattern (ab\\x) in substitution: invalid escape \'\\x\'',
  },
  {
    why: 'error: invalid escape in a % pattern names the reversed pattern',
    input: '${FOO%ab\\x}',
    env: { FOO: 'abc' },
    error: 'failed to process "${FOO%ab\\\\x}": invalid pattern (\\xba) in substitution: invalid escape \'\\x\'',
  },
  {
    why: 'error: a pattern ending in a backslash (from a value)',
    input: '${FOO#$P}',
    env: { FOO: 'abc', P: 'ab\\' },
    error: 'failed to process "${FOO#$P}": invalid pattern (ab\\) in substitution: invalid escape \'\\�\'',
  },
  {
    why: 'error: the same, reversed for %',
    input: '${FOO%$P}',
    env: { FOO: 'abc', P: 'ab\\' },
    error: 'failed to process "${FOO%$P}": invalid pattern (\\ba) in substitution: invalid escape \'\\b\'',
  },
  {
    why: 'error: an unterminated quote inside ${} is a missing }',
    input: '${X:-\'abc}',
    error: 'failed to process "${X:-\'abc}": syntax error: missing \'}\'',
  },
  {
    why: 'error: an inner bad substitution',
    input: '${X:-${}}',
    error: 'failed to process "${X:-${}}": syntax error: bad substitution',
  },
  {
    why: 'error: an inner ${Y:?} message',
    input: '${X:-${Y:?oops}}',
    error: 'failed to process "${X:-${Y:?oops}}": Y: oops',
  },
  {
    why: 'error: an inner error at the end becomes missing }',
    input: '${X:-${Y:?oops}',
    error: 'failed to process "${X:-${Y:?oops}": syntax error: missing \'}\'',
  },
  {
    why: 'error: missing / in ${}',
    input: '${X/a',
    error: 'failed to process "${X/a": syntax error: missing \'/\' in ${}',
  },
  {
    why: 'error: missing } after a replacement',
    input: '${X/a/b',
    error: 'failed to process "${X/a/b": syntax error: missing \'}\'',
  },
  {
    why: 'error: :# is not supported',
    input: '${X:#a}',
    error: 'failed to process "${X:#a}": unsupported modifier (:#) in substitution',
  },
  {
    why: 'error: = is not supported',
    input: '${X=a}',
    error: 'failed to process "${X=a}": unsupported modifier (=) in substitution',
  },
  {
    why: 'error: ${X?} default message',
    input: '${X?}',
    error: 'failed to process "${X?}": X: is not allowed to be unset',
  },
  {
    why: 'error: ${X:?} default message for empty',
    input: '${X:?}',
    env: { X: '' },
    error: 'failed to process "${X:?}": X: is not allowed to be empty',
  },
  {
    why: 'error: unterminated double quote',
    input: 'a"b',
    error: 'failed to process "a\\"b": unexpected end of statement while looking for matching double-quote',
  },
  {
    why: 'error: unterminated single quote',
    input: 'a\'b',
    error: 'failed to process "a\'b": unexpected end of statement while looking for matching single-quote',
  },
  {
    why: 'error: the word is quoted as Go\'s %q quotes it',
    input: '"\\\n\t\u0001é"\'',
    error: 'failed to process "\\"\\\\\\n\\t\\x01é\\"\'": unexpected end of statement while looking for matching single-quote',
  },
];

describe('shell words: error texts', () => {
  for (const { why, input, env, error } of CASES) {
    it(`${JSON.stringify(input)}: ${why}`, () => {
      expect(() => expandWord(input, envFromEntries(env ?? {})))
        .to.throw(WordExpansionError)
        .with.property('message', error);
    });
  }
});
