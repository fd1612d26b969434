// The scanner behind expandWord/expandWords (parser/shell-words.ts): BuildKit's shell lexer
// (frontend/dockerfile/shell/lex.go), rebuilt from its behaviour. It reads a word once, left to
// right, by code point; `${name<op>word}` reads its inner word recursively, which is where the
// nesting limit applies. Error texts are BuildKit's, without the `failed to process` prefix.
import { expandedTooLong, ExpansionFailure, ExpansionLimitExceeded } from './shell-expansion-failure.js';
import {
  applyReplacement,
  applyWordOperator,
  COLON,
  isTrimOperator,
  spellOperator,
  unsupportedModifier,
  WORD_OPERATORS,
  type PatternLimits,
} from './shell-parameter-operators.js';
import { WordSplitter } from './shell-word-splitter.js';
import { isNameCharacter, isUnicodeDigit } from './unicode-letters.js';

const EOF = -1;
const DOLLAR = 0x24;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const LESS_THAN = 0x3c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const SLASH = 0x2f;
const BYTE_ORDER_MARK = 0xfeff;
/** POSIX special parameters (`$@`, `$#`...): names of one character, never set in a Dockerfile. */
const SPECIAL_PARAMETERS = new Set('@*#?-$!0'.split('').map((char) => char.charCodeAt(0)));
const MISSING_BRACE = "syntax error: missing '}'";

export interface ExpanderSettings extends PatternLimits {
  readonly escapeToken: number;
  readonly rawQuotes: boolean;
  readonly rawEscapes: boolean;
  readonly skipUnsetEnv: boolean;
  readonly skipProcessQuotes: boolean;
  readonly maxNestingDepth: number;
}

export interface VariableLookup {
  get(name: string): string | undefined;
}

export class ShellWordExpander {
  /** Names looked up and found (even when empty), and names looked up but unset. */
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private position: number;
  private depth = 0;
  private words: WordSplitter | undefined;

  constructor(
    private readonly text: string,
    private readonly env: VariableLookup,
    private readonly settings: ExpanderSettings,
  ) {
    // Go's text/scanner, which BuildKit reads words with, skips a byte order mark at the start.
    this.position = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
  }

  expand(splitWords: boolean): { value: string; words: string[] } {
    this.words = splitWords ? new WordSplitter() : undefined;
    const value = this.expandUntil(EOF, this.settings.rawEscapes);
    return { value, words: this.words?.finish() ?? [] };
  }

  private peek(): number {
    return this.position < this.text.length ? (this.text.codePointAt(this.position) ?? EOF) : EOF;
  }

  private next(): number {
    const codePoint = this.peek();
    if (codePoint !== EOF) this.position += codePoint > 0xffff ? 2 : 1;
    return codePoint;
  }

  /** Appends within the output limit (checked on every append, so no buffer ever exceeds it). */
  private append(result: string, piece: string): string {
    if (result.length + piece.length > this.settings.maxExpandedLength) {
      throw expandedTooLong(this.settings.maxExpandedLength);
    }
    return result + piece;
  }

  /**
   * Expands up to `stop` (consumed) or the end of the text. Only the outermost call (stop = EOF)
   * feeds the word splitter; BuildKit discards the words of inner calls.
   */
  private expandUntil(stop: number, rawEscapes: boolean): string {
    const words = stop === EOF ? this.words : undefined;
    let result = '';
    for (let char = this.peek(); char !== EOF; char = this.peek()) {
      if (char === stop) {
        this.next();
        return result;
      }
      const quoted = this.readQuotedOrOperator(char, rawEscapes);
      if (quoted !== undefined) {
        result = this.append(result, quoted);
        words?.addLiteral(quoted);
      } else if (char === DOLLAR) {
        const value = this.expandDollar();
        result = this.append(result, value);
        words?.addSplittable(value);
      } else if (char === this.settings.escapeToken) {
        this.next();
        const kept = rawEscapes ? String.fromCodePoint(char) : '';
        const escaped = this.next();
        // An escape character at the very end escapes nothing and is dropped (unless raw).
        const literal = escaped === EOF ? kept : kept + String.fromCodePoint(escaped);
        result = this.append(result, literal);
        words?.addLiteral(literal);
        if (escaped === EOF) break;
      } else {
        const run = this.readPlainRun(stop);
        result = this.append(result, run);
        words?.addSplittable(run);
      }
    }
    if (stop !== EOF) {
      throw new ExpansionFailure(`unexpected end of statement while looking for matching ${String.fromCodePoint(stop)}`);
    }
    return result;
  }

  /** Quoted strings and `<<`, which become one literal piece; undefined for other characters. */
  private readQuotedOrOperator(char: number, rawEscapes: boolean): string | undefined {
    if (char === LESS_THAN) return this.readHeredocOperator();
    if (this.settings.skipProcessQuotes) return undefined;
    if (char === SINGLE_QUOTE) return this.readSingleQuoted();
    if (char === DOUBLE_QUOTE) return this.readDoubleQuoted(rawEscapes);
    return undefined;
  }

  /** Characters up to the next one with a meaning here, copied as they are. */
  private readPlainRun(stop: number): string {
    const start = this.position;
    const { text, settings } = this;
    let end = start + 1;
    while (end < text.length) {
      const unit = text.charCodeAt(end);
      const special = unit === DOLLAR || unit === LESS_THAN || unit === stop || unit === settings.escapeToken;
      const quote = !settings.skipProcessQuotes && (unit === SINGLE_QUOTE || unit === DOUBLE_QUOTE);
      if (special || quote) break;
      end++;
    }
    this.position = end;
    return text.slice(start, end);
  }

  /**
   * BuildKit keeps `<<` and the blanks after it in one word, so that `COPY << EOF /dst` still
   * names a heredoc when the line is split into words. The text itself is unchanged.
   */
  private readHeredocOperator(): string {
    const start = this.position;
    this.next();
    if (this.peek() !== LESS_THAN) return '<';
    let end = start + 2;
    for (let unit = this.text.charCodeAt(end); unit === 0x20 || unit === 0x09 || unit === 0x0d; ) {
      unit = this.text.charCodeAt(++end);
    }
    this.position = end;
    return this.text.slice(start, end);
  }

  /** `'...'`: everything literal up to the next `'`; there is no way to escape one. */
  private readSingleQuoted(): string {
    this.next();
    const close = this.text.indexOf("'", this.position);
    if (close < 0) {
      this.position = this.text.length;
      throw new ExpansionFailure('unexpected end of statement while looking for matching single-quote');
    }
    const inner = this.text.slice(this.position, close);
    this.position = close + 1;
    return this.settings.rawQuotes ? `'${inner}'` : inner;
  }

  /** `"..."`: `$` expands; the escape character escapes only `"`, `$` and itself. */
  private readDoubleQuoted(rawEscapes: boolean): string {
    this.next();
    const quote = this.settings.rawQuotes ? '"' : '';
    let result = quote;
    for (;;) {
      const char = this.peek();
      if (char === EOF) {
        throw new ExpansionFailure('unexpected end of statement while looking for matching double-quote');
      }
      if (char === DOUBLE_QUOTE) {
        this.next();
        return result + quote;
      }
      result = this.append(result, this.readDoubleQuotedPiece(char, rawEscapes));
    }
  }

  /** An expansion, an escape sequence, or a run of characters without meaning inside `"..."`. */
  private readDoubleQuotedPiece(char: number, rawEscapes: boolean): string {
    if (char === DOLLAR) return this.expandDollar();
    if (char === this.settings.escapeToken) return this.readDoubleQuotedEscape(rawEscapes);
    const start = this.position;
    let end = start + 1;
    for (let unit = this.text.charCodeAt(end); end < this.text.length; unit = this.text.charCodeAt(++end)) {
      if (unit === DOUBLE_QUOTE || unit === DOLLAR || unit === this.settings.escapeToken) break;
    }
    this.position = end;
    return this.text.slice(start, end);
  }

  private readDoubleQuotedEscape(rawEscapes: boolean): string {
    const char = this.next();
    // A raw escape is kept even in front of a character it does not escape, which then keeps
    // the escape character once more: BuildKit turns `"a\b"` into `a\\b` in raw-escapes mode.
    const kept = rawEscapes ? String.fromCodePoint(char) : '';
    const following = this.peek();
    if (following === EOF) return kept;
    if (following === DOUBLE_QUOTE || following === DOLLAR || following === char) {
      return kept + String.fromCodePoint(this.next());
    }
    return kept + String.fromCodePoint(char);
  }

  /** `$name`, `${name}` or `${name<op>...}`, at a `$`. */
  private expandDollar(): string {
    this.next();
    if (this.peek() !== OPEN_BRACE) return this.expandPlainReference();
    this.next();
    const first = this.peek();
    if (first === EOF) throw new ExpansionFailure(MISSING_BRACE);
    if (first === OPEN_BRACE || first === CLOSE_BRACE || first === COLON) {
      throw new ExpansionFailure('syntax error: bad substitution');
    }
    const name = this.readName();
    const operator = this.next();
    if (operator === CLOSE_BRACE) return this.valueOrReference(name, `\${${name}}`);
    if (operator === SLASH) return this.expandReplacement(name);
    if (operator === COLON || WORD_OPERATORS.has(operator)) return this.expandOperator(name, operator);
    throw unsupportedModifier(spellOperator(false, operator));
  }

  private expandPlainReference(): string {
    const name = this.readName();
    return name === '' ? '$' : this.valueOrReference(name, `$${name}`);
  }

  /** The variable's value; unset gives '' or, with skipUnsetEnv, the reference as written. */
  private valueOrReference(name: string, reference: string): string {
    const value = this.lookup(name);
    if (value === undefined && this.settings.skipUnsetEnv) return reference;
    return value ?? '';
  }

  /** A name: a run of digits, one special parameter character, or letters, digits and `_`. */
  private readName(): string {
    const start = this.position;
    const first = this.peek();
    if (first === EOF) return '';
    if (isUnicodeDigit(first)) {
      while (this.peek() !== EOF && isUnicodeDigit(this.peek())) this.next();
    } else if (SPECIAL_PARAMETERS.has(first)) {
      this.next();
    } else {
      while (this.peek() !== EOF && isNameCharacter(this.peek())) this.next();
    }
    return this.text.slice(start, this.position);
  }

  private lookup(name: string): string | undefined {
    const value = this.env.get(name);
    (value === undefined ? this.unmatched : this.matched).add(name);
    return value;
  }

  /** `${name-word}`, `${name:-word}`, `+`, `?`, and the trims `#`, `##`, `%`, `%%`. */
  private expandOperator(name: string, first: number): string {
    const colon = first === COLON;
    const operator = colon ? this.next() : first;
    if (colon && isTrimOperator(operator)) throw unsupportedModifier(spellOperator(colon, operator));
    const word = this.expandNested(CLOSE_BRACE, isTrimOperator(operator), MISSING_BRACE);
    const value = this.lookup(name);
    if (value === undefined && this.settings.skipUnsetEnv) return `\${${name}${spellOperator(colon, operator)}${word}}`;
    return applyWordOperator({ name, colon, operator, word }, value, this.settings);
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}`. */
  private expandReplacement(name: string): string {
    const every = this.peek() === SLASH;
    if (every) this.next();
    const pattern = this.expandNested(SLASH, true, "syntax error: missing '/' in ${}");
    const replacement = this.expandNested(CLOSE_BRACE, true, MISSING_BRACE);
    const value = this.lookup(name);
    // BuildKit writes a single `/` back even for `//`.
    if (value === undefined && this.settings.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    return applyReplacement(value ?? '', pattern, replacement, every, this.settings);
  }

  /**
   * The word inside `${...}`, up to `stop`. A failure that leaves nothing more to read is
   * reported as the missing delimiter (`missing }`), as BuildKit does, unless it is a limit.
   */
  private expandNested(stop: number, rawEscapes: boolean, missingDelimiter: string): string {
    if (this.depth >= this.settings.maxNestingDepth) {
      throw new ExpansionLimitExceeded(`variable substitutions nested deeper than ${this.settings.maxNestingDepth} levels`);
    }
    this.depth++;
    this.words?.discardPending();
    try {
      return this.expandUntil(stop, rawEscapes);
    } catch (error) {
      const rewritable = error instanceof ExpansionFailure && !(error instanceof ExpansionLimitExceeded);
      if (rewritable && this.peek() === EOF) throw new ExpansionFailure(missingDelimiter);
      throw error;
    } finally {
      this.depth--;
    }
  }
}
