// The whitespace BuildKit's parser trims and splits on. Go's unicode.IsSpace differs from JavaScript's
// `\s`: it includes U+0085 (NEL) and excludes U+FEFF (BOM), so `String.prototype.trim` cannot be used.
// Everything here is a plain loop: trimming with a `[...]+$` regex is quadratic on long inner runs.

const UNICODE_SPACES = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** Go's unicode.IsSpace for one UTF-16 code unit (every space is in the BMP). */
export function isUnicodeSpace(codeUnit: number): boolean {
  return UNICODE_SPACES.has(codeUnit);
}

/** ASCII whitespace: what BuildKit's byte-wise scanners (flags, HEALTHCHECK type) split on in practice. */
export function isAsciiSpace(codeUnit: number): boolean {
  return codeUnit === 0x20 || (codeUnit >= 0x09 && codeUnit <= 0x0d);
}

/** Index of the first character that is not a Unicode space, at or after `from` (text.length if none). */
export function skipUnicodeSpace(text: string, from = 0): number {
  let index = from;
  while (index < text.length && isUnicodeSpace(text.charCodeAt(index))) index++;
  return index;
}

/** Index just after the last character that is not a Unicode space (0 if none). */
export function endWithoutTrailingSpace(text: string): number {
  let end = text.length;
  while (end > 0 && isUnicodeSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

export function trimLeftUnicodeSpace(text: string): string {
  return text.slice(skipUnicodeSpace(text));
}

/** Go's strings.TrimSpace. */
export function trimUnicodeSpace(text: string): string {
  const start = skipUnicodeSpace(text);
  return start === text.length ? '' : text.slice(start, endWithoutTrailingSpace(text));
}
