// The history entries BuildKit 0.13's Dockerfile frontend writes, and the Go formatting its
// `created_by` texts come from (`%q` and `%v` of string lists, maps and structs).
import { goQuote } from '../parser/syntax-dump.js';
import type { HistoryEntry } from './image-config.js';
import type { StageState } from './steps/types.js';

/** The comment BuildKit puts on every entry its Dockerfile frontend writes. */
export const HISTORY_COMMENT = 'buildkit.dockerfile.v0';

/** The state with one history entry appended; `layer` false marks it `empty_layer`. */
export function withHistory(state: StageState, createdBy: string, layer: boolean): StageState {
  const entry: HistoryEntry = { created_by: createdBy, comment: HISTORY_COMMENT, ...(layer ? {} : { empty_layer: true }) };
  return { ...state, history: [...state.history, entry] };
}

/** Go's `%q` of a []string: `["a" "b"]`. */
export function goQuotedList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`;
}

/** Go's `%v` of a []string: `[a b]`, nothing quoted. */
export function goPlainList(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** Go's sort order for strings: by UTF-8 bytes, which is code point order. */
export function compareGoStrings(a: string, b: string): number {
  const left = Array.from(a, (char) => char.codePointAt(0)!);
  const right = Array.from(b, (char) => char.codePointAt(0)!);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    if (left[index] !== right[index]) return left[index]! - right[index]!;
  }
  return left.length - right.length;
}

/** Go's `%v` of a set (map[string]struct{}): keys sorted, `map[a:{} b:{}]`. */
export function goSetText(keys: readonly string[]): string {
  return `map[${[...keys].sort(compareGoStrings).map((key) => `${key}:{}`).join(' ')}]`;
}

const NAMED_RUNE_ESCAPES = new Map<number, string>([
  [0x07, '\\a'], [0x08, '\\b'], [0x0c, '\\f'], [0x0a, '\\n'], [0x0d, '\\r'], [0x09, '\\t'], [0x0b, '\\v'],
  [0x27, "\\'"], [0x5c, '\\\\'],
]);

/**
 * Go's `%q` of an integer: a quoted character literal (strconv.QuoteRune). BuildKit prints the
 * HEALTHCHECK retries this way, so 2 shows as '\x02'. Printable ASCII and Latin-1 letters stay as
 * they are; other values are escaped (a close approximation of Go's IsPrint for the rest).
 */
export function goQuotedRune(value: number): string {
  const named = NAMED_RUNE_ESCAPES.get(value);
  if (named !== undefined) return `'${named}'`;
  if (value < 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return "'\\ufffd'";
  if (value < 0x20 || value === 0x7f) return `'\\x${value.toString(16).padStart(2, '0')}'`;
  if (value < 0x7f) return `'${String.fromCodePoint(value)}'`;
  if (value < 0xa1 || value === 0xad) return `'\\u${value.toString(16).padStart(4, '0')}'`;
  if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(value))) return `'${String.fromCodePoint(value)}'`;
  return value < 0x10000 ? `'\\u${value.toString(16).padStart(4, '0')}'` : `'\\U${value.toString(16).padStart(8, '0')}'`;
}
