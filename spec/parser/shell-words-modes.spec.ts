// BuildKit behaviours beyond the conformance tables: the lexer modes the instruction layer uses
// (raw quotes, raw escapes, skip unset, skip quotes, backtick escape), word splitting and its
// quirks, and pattern matching details. Every expected value here was produced by BuildKit's own
// lexer (frontend/dockerfile/shell at 73ed6825c) on the same input.
import { expect } from 'chai';
import { TsbuildError } from '../../lib/errors.js';
import {
  envFromAssignments,
  envFromEntries,
  expandWord,
  expandWords,
  type WordExpansionOptions,
} from '../../parser/shell-words.js';

interface BehaviourCase {
  why: string;
  input: string;
  env?: Record<string, string>;
  options?: WordExpansionOptions;
  value?: string;
  words?: string[];
}

const CASES: BehaviourCase[] = [
  {
    why: 'rawQuotes keeps quotes; single quotes still stop expansion',
    input: '\'a $X\' "b $X" c\\ d',
    env: { X: '1' },
    options: { rawQuotes: true },
    value: '\'a $X\' "b 1" c d',
  },
  {
    why: 'rawEscapes keeps escape characters, which still escape',
    input: 'a\\ b "c\\"d" \\$X',
    env: { X: '1' },
    options: { rawEscapes: true },
    value: 'a\\ b c\\"d \\$X',
  },
  {
    why: 'rawEscapes doubles a backslash that escapes nothing inside double quotes',
    input: '"a\\b"',
    options: { rawEscapes: true },
    value: 'a\\\\b',
  },
  {
    why: 'rawEscapes keeps a trailing escape character',
    input: 'hello\\',
    options: { rawEscapes: true },
    value: 'hello\\',
  },
  {
    why: 'skipUnsetEnv writes unset references back, `//` as `/`',
    input: '$X ${X} ${X:-d} ${X-d} ${X:+a} ${X:?m} ${X#a} ${X/a/b} ${X//a/b} $Y',
    env: { Y: 'y' },
    options: { skipUnsetEnv: true },
    value: '$X ${X} ${X:-d} ${X-d} ${X:+a} ${X:?m} ${X#a} ${X/a/b} ${X/a/b} y',
  },
  {
    why: 'skipProcessQuotes (heredoc bodies): quotes are plain text, $ expands inside them',
    input: '\'$X\' "$X" a\\\'b',
    env: { X: '1' },
    options: { skipProcessQuotes: true },
    value: '\'1\' "1" a\'b',
  },
  {
    why: 'skipProcessQuotes: backticks are text, backslash still escapes',
    input: 'it\'s "$X" `$X` \\$X',
    env: { X: '1' },
    options: { skipProcessQuotes: true },
    value: 'it\'s "1" `1` $X',
  },
  {
    why: 'backtick escape token',
    input: 'a`$X b``c `',
    env: { X: '1' },
    options: { escapeToken: '`' },
    value: 'a$X b`c ',
  },
  {
    why: 'backtick escape token inside double quotes; backslash is plain',
    input: '"a`"b\\c"',
    options: { escapeToken: '`' },
    value: 'a"b\\c',
  },
  {
    why: 'backtick escape token leaves Windows paths alone',
    input: 'C:\\path\\$X',
    env: { X: 'dir' },
    options: { escapeToken: '`' },
    value: 'C:\\path\\dir',
  },
  {
    why: 'words: an inner ${...} word drops what came before it in the same word (BuildKit quirk)',
    input: '80/${PROTO:-tcp}',
    words: ['tcp'],
  },
  {
    why: 'words: the quirk also reaches into double quotes',
    input: 'a"b${X:-c}d" e',
    words: ['bcd', 'e'],
  },
  {
    why: 'words: a default value with a space splits',
    input: 'x${X-a b}y z',
    words: ['a', 'by', 'z'],
  },
  {
    why: 'words: << keeps the blanks after it',
    input: 'a  << EOF b <c',
    words: ['a', '<< EOF', 'b', '<c'],
  },
  {
    why: 'words: empty quotes make no word',
    input: '\'\' a "" b',
    words: ['a', 'b'],
  },
  {
    why: 'words: values split on Unicode spaces',
    input: '$V',
    env: { V: 'a\u00a0b\u3000c' },
    words: ['a', 'b', 'c'],
  },
  {
    why: 'patterns: * and ? never match a newline',
    input: '${FOO##*}|${FOO%%*}|${FOO//?/x}',
    env: { FOO: 'ab\ncd' },
    value: '\ncd|ab\n|xx\nxx',
  },
  {
    why: 'patterns: // expands $0 in the replacement, / does not',
    input: '${FOO//a/[$R]}|${FOO/a/[$R]}',
    env: { FOO: 'abca', R: '$0' },
    value: '[a]bc[a]|[$0]bca',
  },
  {
    why: 'patterns: // replacement template: ${0}, $$, unknown $1, lone $',
    input: '${FOO//a/$R}',
    env: { FOO: 'abca', R: '${0}$$$1$' },
    value: 'a$$bca$$',
  },
  {
    why: 'patterns: escaped backslash; $$ in the word is the (unset) $ parameter',
    input: '${FOO//\\\\/$$}',
    env: { FOO: 'a\\b' },
    value: 'ab',
  },
  {
    why: 'patterns: empty, * and ? matches with // by code point',
    input: '${FOO///-}|${FOO//*/-}|${FOO//?/-}',
    env: { FOO: 'a😀b' },
    value: '-a-😀-b-|-|---',
  },
  {
    why: 'patterns: ? is one code point, also from the end',
    input: '${FOO%?}|${FOO#?}|${FOO%%😀*}',
    env: { FOO: 'a😀b😀' },
    value: 'a😀b|😀b😀|a',
  },
  {
    why: 'patterns: \\} and \\/ are literal delimiters',
    input: '${FOO#\\}x}|${FOO%\\/x}',
    env: { FOO: '}x/x' },
    value: '/x|}x',
  },
  {
    why: 'a leading byte order mark is skipped',
    input: '\ufeff$X',
    env: { X: '1' },
    value: '1',
  },
];

describe('shell words: modes, splitting and patterns', () => {
  for (const { why, input, env, options, value, words } of CASES) {
    it(`${JSON.stringify(input)}${options ? ` ${JSON.stringify(options)}` : ''}: ${why}`, () => {
      const variables = envFromEntries(env ?? {});
      if (words !== undefined) expect(expandWords(input, variables, options).words).to.deep.equal(words);
      else expect(expandWord(input, variables, options).value).to.equal(value);
    });
  }
});

describe('shell words: API', () => {
  it('"$A ${B:-x} $C" reports matched and unmatched names from expandWords too', () => {
    const result = expandWords('$A ${B:-x} $C', envFromEntries({ A: '', C: 'c' }));
    expect(result.words).to.deep.equal(['x', 'c']);
    expect([...result.matched].sort()).to.deep.equal(['A', 'C']);
    expect([...result.unmatched]).to.deep.equal(['B']);
  });

  it('"$1 $@" records positional and special parameters as unmatched', () => {
    expect([...expandWord('$1 $@', envFromEntries({})).unmatched].sort()).to.deep.equal(['1', '@']);
  });

  it('"$constructor" finds nothing inherited from Object.prototype in a record env', () => {
    const result = expandWord('$constructor${toString-unset}', envFromEntries({}));
    expect(result.value).to.equal('unset');
  });

  it('envFromEntries takes pairs (a later duplicate wins) and lists keys', () => {
    const env = envFromEntries([['A', '1'], ['B', '2'], ['A', '3']]);
    expect(expandWord('$A$B', env).value).to.equal('32');
    expect([...env.keys()]).to.deep.equal(['A', 'B']);
  });

  it('envFromAssignments splits at the first "=" only', () => {
    expect(envFromAssignments(['A=b=c', 'D']).get('A')).to.equal('b=c');
    expect(envFromAssignments(['A=b=c', 'D']).get('D')).to.equal('');
  });

  it('"${X:?custom error}" fails with code E_EXPANSION and the reason separately', () => {
    try {
      expandWord('${X:?custom error}', envFromEntries({}));
      expect.fail('expected an error');
    } catch (error) {
      expect(error).to.be.instanceOf(TsbuildError);
      expect(error).to.include({ code: 'E_EXPANSION', reason: 'X: custom error', word: '${X:?custom error}' });
      expect((error as Error).message).to.equal('failed to process "${X:?custom error}": X: custom error');
    }
  });
});
