// What each `${name<op>word}` operator yields once its word has been read and the variable looked
// up (the reading is parser/shell-expander.ts). `:` makes an empty value count as unset for `-`,
// `+` and `?`; `:#` and `:%` do not exist. Error texts are BuildKit's.
import { ExpansionFailure } from './shell-expansion-failure.js';
import {
  removeMatchingPrefix,
  removeMatchingSuffix,
  replaceEveryMatch,
  replaceFirstMatch,
} from './shell-pattern-edits.js';
import type { PatternMatchBudget } from './shell-pattern-matcher.js';

export const COLON = 0x3a;
const HASH = 0x23;
const PERCENT = 0x25;
const MINUS = 0x2d;
const PLUS = 0x2b;
const QUESTION = 0x3f;
const END_OF_INPUT = -1;

/** The operators that may follow `${name` (after an optional `:`), each reading a word up to `}`. */
export const WORD_OPERATORS: ReadonlySet<number> = new Set([PLUS, MINUS, QUESTION, HASH, PERCENT]);

export interface PatternLimits {
  readonly patternBudget: PatternMatchBudget;
  readonly maxExpandedLength: number;
}

/** A `${name<op>word}` as read: `colon` when written `${name:<op>word}`, `operator` -1 at the end. */
export interface WordOperation {
  readonly name: string;
  readonly colon: boolean;
  readonly operator: number;
  readonly word: string;
}

/** The operator as BuildKit prints it in "unsupported modifier" (the end of input is U+FFFD). */
export function spellOperator(colon: boolean, operator: number): string {
  const spelled = operator === END_OF_INPUT ? '\ufffd' : String.fromCodePoint(operator);
  return colon ? `:${spelled}` : spelled;
}

export function unsupportedModifier(spelled: string): ExpansionFailure {
  return new ExpansionFailure(`unsupported modifier (${spelled}) in substitution`);
}

/** Trim patterns keep their escape characters when read: the pattern syntax gives them meaning. */
export function isTrimOperator(operator: number): boolean {
  return operator === HASH || operator === PERCENT;
}

/** The result of `${name<op>word}` for a variable whose value is `value` (undefined: unset). */
export function applyWordOperator(operation: WordOperation, value: string | undefined, limits: PatternLimits): string {
  const { colon, operator, word } = operation;
  const absent = value === undefined || (colon && value === '');
  if (operator === MINUS) return absent ? word : (value ?? '');
  if (operator === PLUS) return absent ? '' : word;
  if (operator === QUESTION) return requireValue(operation, value);
  if (!isTrimOperator(operator)) throw unsupportedModifier(spellOperator(colon, operator));
  // `##` and `%%` arrive as `#` or `%` followed by a word that starts with the same character.
  const longest = word.charCodeAt(0) === operator;
  const pattern = longest ? word.slice(1) : word;
  return operator === HASH
    ? removeMatchingPrefix(value ?? '', pattern, longest, limits.patternBudget)
    : removeMatchingSuffix(value ?? '', pattern, longest, limits.patternBudget);
}

/** `${name?message}` and `${name:?message}`: the value, or BuildKit's `name: message` error. */
function requireValue({ name, colon, word }: WordOperation, value: string | undefined): string {
  if (value === undefined) throw new ExpansionFailure(`${name}: ${word || 'is not allowed to be unset'}`);
  if (colon && value === '') throw new ExpansionFailure(`${name}: ${word || 'is not allowed to be empty'}`);
  return value;
}

/** `${name/pattern/replacement}` (`every` false) and `${name//pattern/replacement}`. */
export function applyReplacement(
  value: string,
  pattern: string,
  replacement: string,
  every: boolean,
  limits: PatternLimits,
): string {
  return every
    ? replaceEveryMatch(value, pattern, replacement, limits.patternBudget, limits.maxExpandedLength)
    : replaceFirstMatch(value, pattern, replacement, limits.patternBudget);
}
