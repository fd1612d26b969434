// Parses the subset of Go (RE2, Perl flags) regexp syntax that LinearRegexp runs. The rules are
// RE2's where they decide what a .dockerignore pattern means: a ']' first in a class is literal,
// '[' inside a class is literal unless it starts `[:name:]`, a negated class also matches '\n'
// while '.' does not, `a-b` with b < a is an error, `**` is a nested-repetition error.

/** RE2 would reject the expression, or it uses syntax we deliberately do not support. */
export class RegexpSyntaxError extends Error {
  constructor(message: string, readonly source: string) {
    super(`${message} in ${JSON.stringify(source)}`);
    this.name = 'RegexpSyntaxError';
  }
}

export type RegexpNode =
  | { readonly kind: 'chars'; readonly ranges: readonly number[]; readonly negated: boolean }
  | { readonly kind: 'begin' | 'end' }
  | { readonly kind: 'concat'; readonly parts: readonly RegexpNode[] }
  | { readonly kind: 'repeat'; readonly min: 0 | 1; readonly max: 1 | typeof Infinity; readonly body: RegexpNode };

const MAX_CODE_POINT = 0x10ffff;
const ANY_BUT_NEWLINE: readonly number[] = [0, 9, 11, MAX_CODE_POINT];
const PERL_CLASSES: Readonly<Record<string, readonly number[]>> = {
  d: [0x30, 0x39],
  s: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20],
  w: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
};
const POSIX_CLASSES: Readonly<Record<string, readonly number[]>> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

export function parseRegexp(source: string): RegexpNode {
  const parser = new RegexpParser(source);
  const node = parser.parseConcat();
  if (!parser.atEnd()) parser.fail('unexpected )');
  return node;
}

class RegexpParser {
  private readonly chars: readonly string[];
  private pos = 0;

  constructor(private readonly source: string) {
    this.chars = Array.from(source);
  }

  atEnd(): boolean {
    return this.pos >= this.chars.length;
  }

  fail(message: string): never {
    throw new RegexpSyntaxError(message, this.source);
  }

  parseConcat(): RegexpNode {
    const parts: RegexpNode[] = [];
    while (!this.atEnd() && this.chars[this.pos] !== ')') {
      const ch = this.chars[this.pos];
      if (ch === '*' || ch === '+' || ch === '?') {
        const body = parts.pop();
        if (body === undefined) this.fail('missing argument to repetition operator');
        parts.push(this.parseRepeat(body));
      } else {
        parts.push(this.parseAtom());
      }
    }
    return { kind: 'concat', parts };
  }

  private parseRepeat(body: RegexpNode): RegexpNode {
    const op = this.chars[this.pos++];
    if (this.chars[this.pos] === '?') this.pos++; // lazy: same set of matches
    const following = this.chars[this.pos];
    if (following === '*' || following === '+' || following === '?') this.fail('invalid nested repetition operator');
    if (op === '*') return { kind: 'repeat', min: 0, max: Infinity, body };
    if (op === '+') return { kind: 'repeat', min: 1, max: Infinity, body };
    return { kind: 'repeat', min: 0, max: 1, body };
  }

  private parseAtom(): RegexpNode {
    const ch = this.chars[this.pos++];
    switch (ch) {
      case '(':
        return this.parseGroup();
      case '[':
        return this.parseClass();
      case '.':
        return { kind: 'chars', ranges: ANY_BUT_NEWLINE, negated: false };
      case '^':
        return { kind: 'begin' };
      case '$':
        return { kind: 'end' };
      case '|':
      case '{':
        return this.fail(`unsupported ${ch}`);
      case '\\':
        return this.parseEscapeAtom();
      default:
        return single(ch.codePointAt(0)!);
    }
  }

  private parseGroup(): RegexpNode {
    if (this.chars[this.pos] === '?') this.fail('unsupported group flags');
    const body = this.parseConcat();
    if (this.chars[this.pos] !== ')') this.fail('missing closing )');
    this.pos++;
    return body;
  }

  private parseEscapeAtom(): RegexpNode {
    const perl = this.perlClass();
    if (perl) return { kind: 'chars', ranges: perl, negated: false };
    return single(this.parseEscape());
  }

  /** `\d \s \w \D \S \W` at the cursor (just after the backslash), consumed when found. */
  private perlClass(): readonly number[] | undefined {
    const letter = this.chars[this.pos];
    if (letter === undefined) return undefined;
    const ranges = PERL_CLASSES[letter.toLowerCase()];
    if (!ranges) return undefined;
    this.pos++;
    return letter === letter.toLowerCase() ? ranges : complement(ranges);
  }

  /** The character after a backslash (already consumed). */
  private parseEscape(): number {
    const ch = this.chars[this.pos++];
    if (ch === undefined) this.fail('trailing backslash at end of expression');
    const code = ch.codePointAt(0)!;
    if (code < 0x80 && !/[0-9A-Za-z]/.test(ch)) return code;
    if (ch in CONTROL_ESCAPES) return CONTROL_ESCAPES[ch];
    return this.fail(`unsupported escape sequence \\${ch}`);
  }

  private parseClass(): RegexpNode {
    let negated = false;
    if (this.chars[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: number[] = [];
    for (let first = true; ; first = false) {
      if (this.atEnd()) this.fail('missing closing ]');
      if (this.chars[this.pos] === ']' && !first) break;
      ranges.push(...this.parseClassItem());
    }
    this.pos++;
    return { kind: 'chars', ranges, negated };
  }

  private parseClassItem(): readonly number[] {
    const named = this.namedClass();
    if (named) return named;
    if (this.chars[this.pos] === '\\') {
      this.pos++;
      const perl = this.perlClass();
      if (perl) return perl;
      this.pos--;
    }
    const lo = this.classChar();
    if (this.chars[this.pos] === '-' && this.pos + 1 < this.chars.length && this.chars[this.pos + 1] !== ']') {
      this.pos++;
      const hi = this.classChar();
      if (hi < lo) this.fail('invalid character class range');
      return [lo, hi];
    }
    return [lo, lo];
  }

  /** `[:alpha:]` or `[:^alpha:]`; a '[' without a later ':]' is just a character. */
  private namedClass(): readonly number[] | undefined {
    if (this.chars[this.pos] !== '[' || this.chars[this.pos + 1] !== ':') return undefined;
    const rest = this.chars.slice(this.pos + 2).join('');
    const close = rest.indexOf(':]');
    if (close < 0) return undefined;
    const name = rest.slice(0, close);
    const negated = name.startsWith('^');
    const ranges = POSIX_CLASSES[negated ? name.slice(1) : name];
    if (!ranges) this.fail('invalid character class range');
    this.pos += 2 + Array.from(rest.slice(0, close + 2)).length;
    return negated ? complement(ranges) : ranges;
  }

  private classChar(): number {
    const ch = this.chars[this.pos++];
    if (ch === undefined) this.fail('missing closing ]');
    return ch === '\\' ? this.parseEscape() : ch.codePointAt(0)!;
  }
}

function single(codePoint: number): RegexpNode {
  return { kind: 'chars', ranges: [codePoint, codePoint], negated: false };
}

/** The code points not in `ranges` (which are sorted and disjoint, as in the tables above). */
function complement(ranges: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i] > next) out.push(next, ranges[i] - 1);
    next = ranges[i + 1] + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}
