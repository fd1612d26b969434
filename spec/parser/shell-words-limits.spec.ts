// The limits that keep expansion of strangers' Dockerfiles bounded (BuildKit has none): word
// length, nesting depth, output length and pattern-matching work. Each hostile input must end in a
// WordExpansionLimitError, quickly; the time bounds leave a wide margin for slow CI machines.
import { expect } from 'chai';
import {
  envFromEntries,
  expandWord,
  expandWords,
  MAX_EXPANDED_LENGTH,
  MAX_NESTING_DEPTH,
  MAX_WORD_LENGTH,
  WordExpansionLimitError,
} from '../../parser/shell-words.js';

const MEBIBYTE = 1024 * 1024;
const env = envFromEntries({
  MEG: 'a'.repeat(MEBIBYTE),
  AS: 'a'.repeat(100_000),
  LINES: 'x\n'.repeat(100_000),
});

function nested(depth: number): string {
  return `${'${UNSET:-'.repeat(depth)}x${'}'.repeat(depth)}`;
}

/** Runs `action` and returns how long it took, in milliseconds. */
function timed(action: () => void): number {
  const started = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function expectLimitError(action: () => unknown, reason: string): void {
  expect(action).to.throw(WordExpansionLimitError).with.property('reason').that.contains(reason);
}

describe('shell words: limits', () => {
  it(`nested(${MAX_NESTING_DEPTH}) still expands`, () => {
    expect(expandWord(nested(MAX_NESTING_DEPTH), env).value).to.equal('x');
  });

  it(`nested(${MAX_NESTING_DEPTH + 1}) is refused`, () => {
    expectLimitError(() => expandWord(nested(MAX_NESTING_DEPTH + 1), env), 'nested deeper than 64 levels');
  });

  it('nested(100000) is refused without exhausting the stack', () => {
    const elapsed = timed(() => expectLimitError(() => expandWords(nested(100_000), env), 'nested deeper'));
    expect(elapsed).to.be.below(1000);
  });

  it('a word longer than MAX_WORD_LENGTH is refused, and the error quotes only its start', () => {
    const word = 'a'.repeat(MAX_WORD_LENGTH + 1);
    expectLimitError(() => expandWord(word, env), `word is longer than ${MAX_WORD_LENGTH} characters`);
    expect(() => expandWord(word, env)).to.throw(`failed to process "${'a'.repeat(100)}...": word is longer`);
  });

  it('a plain word of MAX_WORD_LENGTH characters expands, in both modes', () => {
    const word = 'ab '.repeat(MAX_WORD_LENGTH / 4);
    const elapsed = timed(() => {
      expect(expandWord(word, env).value).to.have.length(word.length);
      expect(expandWords(word, env).words).to.have.length(MAX_WORD_LENGTH / 4);
    });
    expect(elapsed).to.be.below(5000);
  });

  it('"$MEG" repeated 17 times (17 MiB) is refused', () => {
    expectLimitError(() => expandWord('$MEG'.repeat(17), env), `longer than ${MAX_EXPANDED_LENGTH} characters`);
  });

  it('"$MEG" repeated 10000 times is refused at the limit, not after building it', () => {
    const elapsed = timed(() => expectLimitError(() => expandWords('$MEG '.repeat(10_000), env), 'longer than'));
    expect(elapsed).to.be.below(3000);
  });

  it('"${UNSET:-$MEG...}" is refused inside the default word too', () => {
    expectLimitError(() => expandWord(`\${UNSET:-${'"$MEG"'.repeat(17)}}`, env), 'longer than');
  });

  it('"${MEG//a/$MEG}" (a million replacements of a MiB) is refused while replacing', () => {
    const elapsed = timed(() => expectLimitError(() => expandWord('${MEG//a/$MEG}', env), 'longer than'));
    expect(elapsed).to.be.below(1000);
  });

  it('"${AS##*a*a*a*a*a*a*a*a*b}" does not backtrack (100 000 characters, no match)', () => {
    for (const operator of ['#', '##', '%', '%%', '/', '//']) {
      const replacement = operator.startsWith('/') ? '/x' : '';
      const elapsed = timed(() => {
        const value = expandWord(`\${AS${operator}*a*a*a*a*a*a*a*a*b${replacement}}`, env).value;
        expect(value).to.have.length(100_000);
      });
      expect(elapsed, operator).to.be.below(1000);
    }
  });

  it('"${LINES//*/y}" replaces each line: * stops at newlines', () => {
    expect(expandWord('${LINES//*/y}', env).value).to.equal('y\n'.repeat(100_000) + 'y');
  });

  it('"${AS##*a*a...b}" with a thousand stars runs out of pattern budget', () => {
    const word = `\${AS##${'*a'.repeat(1000)}b}`;
    const elapsed = timed(() => expectLimitError(() => expandWord(word, env), 'pattern matching needs more than'));
    expect(elapsed).to.be.below(5000);
  });

  it('the pattern budget is shared by every operator in one word', () => {
    const once = '${AS##*a*b}';
    expect(expandWord(once, env).value).to.have.length(100_000);
    expectLimitError(() => expandWord(once.repeat(500), env), 'pattern matching needs more than');
  });
});
