// The pattern operators of `${...}`: `#`/`##` remove a matching prefix, `%`/`%%` a matching
// suffix (shortest or longest), `/` replaces the first match and `//` every match. The results
// follow BuildKit's Go regexp calls exactly, including two quirks users can observe:
// - `//` hands the replacement to Go's ReplaceAllString, which treats `$` specially: `$0` and
//   `${0}` insert the matched text, `$$` is one `$`, any other `$name` inserts nothing. `/` inserts
//   the replacement literally.
// - `//` with a pattern that can match empty text inserts the replacement between characters.
import { expandedTooLong, ExpansionFailure } from './shell-expansion-failure.js';
import { PatternAutomaton, type PatternMatchBudget } from './shell-pattern-matcher.js';
import { parseShellPattern, PatternSyntaxError, reverseShellPattern, type PatternToken } from './shell-patterns.js';
import { isNameCharacter } from './unicode-letters.js';

/** `${v#p}` (shortest) and `${v##p}` (longest). */
export function removeMatchingPrefix(value: string, pattern: string, longest: boolean, budget: PatternMatchBudget): string {
  const automaton = new PatternAutomaton(parsePatternOrFail(pattern), budget);
  const length = automaton.matchAnchored(value, 0, 1, longest);
  return length === undefined ? value : value.slice(length);
}

/** `${v%p}` (shortest) and `${v%%p}` (longest): the reversed pattern read from the end. */
export function removeMatchingSuffix(value: string, pattern: string, longest: boolean, budget: PatternMatchBudget): string {
  const automaton = new PatternAutomaton(parsePatternOrFail(reverseShellPattern(pattern)), budget);
  const length = automaton.matchAnchored(value, value.length, -1, longest);
  return length === undefined ? value : value.slice(0, value.length - length);
}

/** `${v/p/r}`: the leftmost (then longest) match replaced by `replacement` as written. */
export function replaceFirstMatch(value: string, pattern: string, replacement: string, budget: PatternMatchBudget): string {
  const match = new PatternAutomaton(parsePatternOrFail(pattern), budget).search(value, 0);
  if (match === undefined) return value;
  return value.slice(0, match.start) + replacement + value.slice(match.end);
}

/**
 * `${v//p/r}`: every non-overlapping match replaced, walking the text the way Go's
 * ReplaceAllString does (after an empty match it steps one character; an empty match right after
 * a match is not replaced). Throws once the result would exceed `maxLength`.
 */
export function replaceEveryMatch(
  value: string,
  pattern: string,
  replacement: string,
  budget: PatternMatchBudget,
  maxLength: number,
): string {
  const automaton = new PatternAutomaton(parsePatternOrFail(pattern), budget);
  const template = parseReplacementTemplate(replacement);
  let result = '';
  let lastMatchEnd = 0;
  let searchFrom = 0;
  while (searchFrom <= value.length) {
    const match = automaton.search(value, searchFrom);
    if (match === undefined) break;
    result += value.slice(lastMatchEnd, match.start);
    if (match.end > lastMatchEnd || match.start === 0) result += fillTemplate(template, value.slice(match.start, match.end));
    if (result.length > maxLength) throw expandedTooLong(maxLength);
    lastMatchEnd = match.end;
    searchFrom = Math.max(searchFrom + codePointWidth(value, searchFrom), match.end);
  }
  result += value.slice(lastMatchEnd);
  if (result.length > maxLength) throw expandedTooLong(maxLength);
  return result;
}

function parsePatternOrFail(pattern: string): PatternToken[] {
  try {
    return parseShellPattern(pattern);
  } catch (error) {
    if (!(error instanceof PatternSyntaxError)) throw error;
    throw new ExpansionFailure(`invalid pattern (${pattern}) in substitution: ${error.message}`);
  }
}

/** Width of the character at `position`; 1 at the end, so the walk still moves past it. */
function codePointWidth(text: string, position: number): number {
  return (text.codePointAt(position) ?? 0) > 0xffff ? 2 : 1;
}

/** A replacement template: literal text, with `WHOLE_MATCH` where `$0` or `${0}` stood. */
const WHOLE_MATCH = Symbol('whole match');
type TemplatePart = string | typeof WHOLE_MATCH;

/** Go's Regexp.Expand rules, for a regexp without groups (so only group 0 exists). */
function parseReplacementTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let index = 0;
  for (let dollar = template.indexOf('$'); dollar >= 0; dollar = template.indexOf('$', index)) {
    literal += template.slice(index, dollar);
    const reference = readTemplateReference(template, dollar + 1);
    if (reference === undefined) {
      // `$$`, or a `$` that starts no name: one literal dollar sign.
      literal += '$';
      index = template.startsWith('$', dollar + 1) ? dollar + 2 : dollar + 1;
      continue;
    }
    if (reference.name === '0') {
      parts.push(literal, WHOLE_MATCH);
      literal = '';
    }
    index = reference.end;
  }
  parts.push(literal + template.slice(index));
  return parts;
}

/** The `name` or `{name}` after a `$`; undefined for `$$` and for anything malformed. */
function readTemplateReference(template: string, from: number): { name: string; end: number } | undefined {
  const braced = template.startsWith('{', from);
  const nameStart = braced ? from + 1 : from;
  let nameEnd = nameStart;
  while (nameEnd < template.length) {
    const codePoint = template.codePointAt(nameEnd) ?? 0;
    if (!isNameCharacter(codePoint)) break;
    nameEnd += codePoint > 0xffff ? 2 : 1;
  }
  if (nameEnd === nameStart) return undefined;
  if (braced && !template.startsWith('}', nameEnd)) return undefined;
  return { name: template.slice(nameStart, nameEnd), end: braced ? nameEnd + 1 : nameEnd };
}

function fillTemplate(parts: readonly TemplatePart[], match: string): string {
  return parts.map((part) => (part === WHOLE_MATCH ? match : part)).join('');
}
