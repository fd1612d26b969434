// Go's unicode.IsLetter and unicode.IsDigit, which decide what a variable name is in BuildKit's
// shell lexer (`$안녕` is a name, `$1x` is `$1` then `x`). ASCII is answered without a regex.

const LETTER = /^\p{L}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** Go's unicode.IsLetter: any code point of a Unicode letter category (L). */
export function isUnicodeLetter(codePoint: number): boolean {
  if (codePoint < 0x80) return (codePoint | 0x20) >= 0x61 && (codePoint | 0x20) <= 0x7a;
  return LETTER.test(String.fromCodePoint(codePoint));
}

/** Go's unicode.IsDigit: any decimal digit (category Nd), not only 0-9. */
export function isUnicodeDigit(codePoint: number): boolean {
  if (codePoint < 0x80) return codePoint >= 0x30 && codePoint <= 0x39;
  return DECIMAL_DIGIT.test(String.fromCodePoint(codePoint));
}

/** A character of a shell variable name after the first: letter, digit or underscore. */
export function isNameCharacter(codePoint: number): boolean {
  return codePoint === 0x5f || isUnicodeLetter(codePoint) || isUnicodeDigit(codePoint);
}
