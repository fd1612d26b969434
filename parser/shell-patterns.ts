// The glob patterns of `${v#p}`, `${v%p}` and `${v/p/r}`: `*` is any run of characters, `?` is one
// character, and a backslash makes `*`, `?` or `\` literal. There are no bracket expressions.
// BuildKit turns these patterns into Go regular expressions, so two regexp details carry over:
// `*` and `?` never match a newline (Go's `.` does not), and a backslash before any other
// character is an error, except before `}` and `/`, where it only kept the delimiter literal.
import { ExpansionFailure } from './shell-expansion-failure.js';

/** A pattern token: a literal code point (>= 0), or one of these two wildcards. */
export type PatternToken = number;
export const ANY_CHARACTER: PatternToken = -1;
export const ANY_RUN: PatternToken = -2;

const BACKSLASH = 0x5c;
const BYTE_ORDER_MARK = 0xfeff;
const ESCAPABLE = new Set([0x2a /* * */, 0x3f /* ? */, BACKSLASH]);
const DELIMITERS = new Set([0x7d /* } */, 0x2f /* / */]);

/** An invalid pattern; the message is BuildKit's (`invalid escape '\x'`). */
export class PatternSyntaxError extends ExpansionFailure {}

/**
 * Parses a pattern into tokens. Consecutive `*` stay separate tokens here (they mean the same as
 * one); the matcher merges them.
 */
export function parseShellPattern(pattern: string): PatternToken[] {
  const codePoints = Array.from(pattern, (char) => char.codePointAt(0) ?? 0);
  // Go's text/scanner, which BuildKit reads the pattern with, drops a leading byte order mark.
  let index = codePoints[0] === BYTE_ORDER_MARK ? 1 : 0;
  const tokens: PatternToken[] = [];
  while (index < codePoints.length) {
    const codePoint = codePoints[index++]!;
    if (codePoint === 0x2a) tokens.push(ANY_RUN);
    else if (codePoint === 0x3f) tokens.push(ANY_CHARACTER);
    else if (codePoint !== BACKSLASH) tokens.push(codePoint);
    else if (index < codePoints.length && DELIMITERS.has(codePoints[index]!)) continue;
    else tokens.push(escapedCodePoint(codePoints[index++]));
  }
  return tokens;
}

function escapedCodePoint(codePoint: number | undefined): number {
  if (codePoint !== undefined && ESCAPABLE.has(codePoint)) return codePoint;
  // Go prints the end of input as U+FFFD when it formats it with %c.
  const shown = codePoint === undefined ? '\ufffd' : String.fromCodePoint(codePoint);
  throw new PatternSyntaxError(`invalid escape '\\${shown}'`);
}

/**
 * The pattern written backwards, keeping each backslash in front of the character it escapes
 * (`a\*c` gives `c\*a`). BuildKit finds suffixes by matching this against the reversed value,
 * and names the reversed pattern in its error messages, so we need the same text.
 */
export function reverseShellPattern(pattern: string): string {
  const chars = Array.from(pattern);
  const reversed: string[] = [];
  let index = 0;
  while (index < chars.length) {
    // A backslash that ends the pattern has nothing to escape and moves like any character.
    const pairs = chars[index] === '\\' && index < chars.length - 1;
    const width = pairs ? 2 : 1;
    reversed.push(chars.slice(index, index + width).join(''));
    index += width;
  }
  return reversed.reverse().join('');
}
