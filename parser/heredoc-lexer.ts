// Finding heredoc markers (`<<EOF`, `<<-'EOF'`, `3<<EOF`) on a RUN/COPY/ADD line. BuildKit finds
// them with its shell word splitter (empty environment, unset variables kept as written, escape
// character always `\`), so this file carries the part of that splitter marker detection depends
// on, quirks included: whether a marker is found must match BuildKit exactly.
import { DockerfileSyntaxError, lineRange } from '../lib/errors.js';
import type { Heredoc } from './syntax-tree.js';
import { goQuote } from './syntax-dump.js';
import { isUnicodeSpace } from './unicode-space.js';

/** A marker as found on the instruction line; the body is read from the lines that follow. */
export type HeredocMarker = Omit<Heredoc, 'content'>;

const EOF = -1;
const BACKSLASH = 0x5c;
// Upstream recurses without limit; beyond this depth (far past any real Dockerfile) the line is
// treated as unreadable instead of exhausting the JavaScript stack.
const MAX_SUBSTITUTION_DEPTH = 500;

class ShellWordError extends Error {}

/** Collects the words of one scope. The word being built lives in the lexer and is shared. */
class WordCollector {
  readonly words: string[] = [];
  private inWord = false;

  constructor(private readonly lexer: ShellWordLexer) {}

  addChar(char: string): void {
    if (!isUnicodeSpace(char.charCodeAt(0))) this.addRaw(char);
    else if (this.inWord && this.lexer.pendingWord !== '') this.flush();
  }

  /** Variable text is split at spaces, as the shell would after expanding it. */
  addSplitting(text: string): void {
    for (const char of text) this.addChar(char);
  }

  addRaw(text: string): void {
    this.lexer.pendingWord += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.lexer.pendingWord !== '') this.flush();
    return this.words;
  }

  private flush(): void {
    this.words.push(this.lexer.pendingWord);
    this.lexer.pendingWord = '';
    this.inWord = false;
  }
}

/** The subset of BuildKit's shell lexer that heredoc detection uses. */
class ShellWordLexer {
  /**
   * The word being built. Upstream shares one buffer between nested scopes, so a `${v:-...}` or
   * `${v/...}` empties the word it appears in; kept because it decides what counts as a marker.
   */
  pendingWord = '';
  private offset = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly rawQuotes: boolean,
  ) {
    // Go's text/scanner, which upstream reads with, skips a byte order mark at the start.
    if (text.startsWith('\uFEFF')) this.offset = 1;
  }

  words(rawEscapes: boolean): string[] {
    return this.scanUntil(EOF, rawEscapes).words;
  }

  private peek(): number {
    return this.offset < this.text.length ? this.text.codePointAt(this.offset)! : EOF;
  }

  private next(): number {
    const codePoint = this.peek();
    if (codePoint !== EOF) this.offset += codePoint > 0xffff ? 2 : 1;
    return codePoint;
  }

  private scanUntil(stop: number, rawEscapes: boolean): { text: string; words: string[] } {
    this.pendingWord = '';
    const collector = new WordCollector(this);
    let text = '';
    for (let codePoint = this.peek(); codePoint !== EOF; codePoint = this.peek()) {
      if (codePoint === stop) {
        this.next();
        return { text, words: collector.finish() };
      }
      const special = this.scanSpecial(codePoint, rawEscapes);
      if (special !== undefined) {
        text += special;
        if (codePoint === 0x24) collector.addSplitting(special);
        else collector.addRaw(special);
        continue;
      }
      this.next();
      if (codePoint === BACKSLASH) {
        if (rawEscapes) {
          collector.addRaw('\\');
          text += '\\';
        }
        const escaped = this.next();
        if (escaped === EOF) break;
        collector.addRaw(String.fromCodePoint(escaped));
        text += String.fromCodePoint(escaped);
      } else {
        collector.addChar(String.fromCodePoint(codePoint));
        text += String.fromCodePoint(codePoint);
      }
    }
    if (stop !== EOF) throw new ShellWordError(`unexpected end of statement while looking for matching ${String.fromCodePoint(stop)}`);
    return { text, words: collector.finish() };
  }

  private scanSpecial(codePoint: number, rawEscapes: boolean): string | undefined {
    switch (codePoint) {
      case 0x24: return this.scanDollar();
      case 0x3c: return this.scanPossibleHeredoc();
      case 0x27: return this.scanSingleQuoted();
      case 0x22: return this.scanDoubleQuoted(rawEscapes);
      default: return undefined;
    }
  }

  private scanSingleQuoted(): string {
    const quote = this.rawQuotes ? "'" : '';
    let text = quote;
    this.next();
    for (;;) {
      const codePoint = this.next();
      if (codePoint === EOF) throw new ShellWordError('unexpected end of statement while looking for matching single-quote');
      if (codePoint === 0x27) return text + quote;
      text += String.fromCodePoint(codePoint);
    }
  }

  private scanDoubleQuoted(rawEscapes: boolean): string {
    const quote = this.rawQuotes ? '"' : '';
    let text = quote;
    this.next();
    for (;;) {
      const codePoint = this.peek();
      if (codePoint === EOF) throw new ShellWordError('unexpected end of statement while looking for matching double-quote');
      if (codePoint === 0x22) {
        this.next();
        return text + quote;
      }
      if (codePoint === 0x24) {
        text += this.scanDollar();
        continue;
      }
      let char = this.next();
      if (char === BACKSLASH) {
        // Upstream writes the raw backslash and then, unless it escapes `"`, `$` or `\`, the
        // backslash again: `"\n"` scanned raw gives `"\\n"`.
        if (rawEscapes) text += '\\';
        const following = this.peek();
        if (following === EOF) continue;
        if (following === 0x22 || following === 0x24 || following === BACKSLASH) char = this.next();
      }
      text += String.fromCodePoint(char);
    }
  }

  private scanPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== 0x3c) return '<';
    this.next();
    let text = '<<';
    // Upstream allows tab, carriage return and space between `<<` and the marker.
    while (this.peek() === 0x09 || this.peek() === 0x0d || this.peek() === 0x20) text += String.fromCodePoint(this.next());
    return text;
  }

  /** `$name` and `${...}`: no variable is set, so each is kept as written (SkipUnsetEnv). */
  private scanDollar(): string {
    this.next();
    if (this.peek() !== 0x7b) {
      const name = this.scanName();
      return `$${name}`;
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new ShellWordError("syntax error: missing '}'");
    if (first === 0x7b || first === 0x7d || first === 0x3a) throw new ShellWordError('syntax error: bad substitution');
    const name = this.scanName();
    return this.scanSubstitution(name);
  }

  private scanSubstitution(name: string): string {
    const modifier = this.next();
    let modifierText = modifier === EOF ? '\uFFFD' : String.fromCodePoint(modifier);
    if (modifier === 0x7d) return `\${${name}}`;
    if (modifier === 0x2f) return this.scanReplacement(name);
    let operator = modifier;
    if (modifier === 0x3a) {
      operator = this.next();
      modifierText += operator === EOF ? '\uFFFD' : String.fromCodePoint(operator);
    } else if (!'+-?#%'.includes(modifierText)) {
      throw new ShellWordError(`unsupported modifier (${modifierText}) in substitution`);
    }
    const patternOperator = operator === 0x23 || operator === 0x25;
    if (modifier === 0x3a && patternOperator) throw new ShellWordError(`unsupported modifier (${modifierText}) in substitution`);
    const word = this.scanNested(0x7d, patternOperator, "syntax error: missing '}'");
    return `\${${name}${modifierText}${word}}`;
  }

  /** `${name/pattern/replacement}`; upstream writes `//` back as a single `/`. */
  private scanReplacement(name: string): string {
    if (this.peek() === 0x2f) this.next();
    const pattern = this.scanNested(0x2f, true, "syntax error: missing '/' in ${}");
    const replacement = this.scanNested(0x7d, true, "syntax error: missing '}'");
    return `\${${name}/${pattern}/${replacement}}`;
  }

  private scanNested(stop: number, rawEscapes: boolean, missingMessage: string): string {
    if (++this.depth > MAX_SUBSTITUTION_DEPTH) throw new ShellWordError('substitutions nested too deeply');
    try {
      return this.scanUntil(stop, rawEscapes).text;
    } catch (error) {
      if (this.peek() === EOF) throw new ShellWordError(missingMessage);
      throw error;
    } finally {
      this.depth--;
    }
  }

  private scanName(): string {
    const first = this.peek();
    if (first !== EOF && isDigit(first)) {
      let digits = '';
      while (this.peek() !== EOF && isDigit(this.peek())) digits += String.fromCodePoint(this.next());
      return digits;
    }
    if (first !== EOF && '@*#?-$!0'.includes(String.fromCodePoint(first))) return String.fromCodePoint(this.next());
    let name = '';
    while (this.peek() !== EOF && isNameChar(this.peek())) name += String.fromCodePoint(this.next());
    return name;
  }
}

function isDigit(codePoint: number): boolean {
  return /^\p{Nd}$/u.test(String.fromCodePoint(codePoint));
}

function isNameChar(codePoint: number): boolean {
  return codePoint === 0x5f || /^[\p{L}\p{Nd}]$/u.test(String.fromCodePoint(codePoint));
}

/** Shell words of `text`; throws with BuildKit's `failed to process "..."` message. */
function shellWords(text: string, rawQuotes: boolean, rawEscapes: boolean): string[] {
  try {
    return new ShellWordLexer(text, rawQuotes).words(rawEscapes);
  } catch (error) {
    if (!(error instanceof ShellWordError)) throw error;
    throw new DockerfileSyntaxError(`failed to process ${goQuote(text)}: ${error.message}`, lineRange(1));
  }
}

// BuildKit matches `^(\d*)<<(-?)\s*([^<]*)$` (Go's `\s` is tab, newline, form feed, CR, space).
const MARKER_SPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20]);

function countQuotes(text: string): number {
  let count = 0;
  for (const char of text) if (char === "'" || char === '"') count++;
  return count;
}

/**
 * Reads one word as a heredoc marker (BuildKit's ParseHeredoc): undefined when it is not one
 * (`<<`, `<EOF`, `<<<EOF`, `<<EOF sh`), a marker when it is, and an error when the marker's
 * quotes do not balance (`<<'EOF`). Any quote in the name turns expansion of the body off.
 */
export function parseHeredocMarker(word: string): HeredocMarker | undefined {
  let index = 0;
  while (index < word.length && word.charCodeAt(index) >= 0x30 && word.charCodeAt(index) <= 0x39) index++;
  const digits = word.slice(0, index);
  if (!word.startsWith('<<', index)) return undefined;
  index += 2;
  const chomp = word[index] === '-';
  if (chomp) index++;
  while (index < word.length && MARKER_SPACE.has(word.charCodeAt(index))) index++;
  const rest = word.slice(index);
  if (rest === '' || rest.includes('<')) return undefined;
  const words = shellWords(rest, false, false);
  if (words.length !== 1) return undefined;
  const rawWords = shellWords(rest, true, false);
  if (rawWords.length !== 1) {
    throw new DockerfileSyntaxError(`internal lexing of heredoc produced inconsistent results: ${rest}`, lineRange(1));
  }
  const name = words[0]!;
  const fileDescriptor = digits === '' ? 0 : Math.min(Number(digits), 2 ** 64 - 1);
  return { name, expand: countQuotes(name) === countQuotes(rawWords[0]!), chomp, fileDescriptor };
}

/**
 * The heredoc markers of an instruction line, in order (BuildKit's heredocsFromLine). A line the
 * shell splitter cannot read (an unbalanced quote) has none; a quoted `"<<EOF"` is not a marker.
 */
export function heredocMarkersFromLine(line: string): HeredocMarker[] {
  let words: string[];
  try {
    words = shellWords(line, true, true);
  } catch (error) {
    if (error instanceof DockerfileSyntaxError) return [];
    throw error;
  }
  return words.map(parseHeredocMarker).filter((marker): marker is HeredocMarker => marker !== undefined);
}

/** Strips the leading tabs of every line: what `<<-` means for a heredoc body. */
export function chompHeredocContent(content: string): string {
  return content
    .split('\n')
    .map((line) => line.replace(/^\t+/, ''))
    .join('\n');
}
