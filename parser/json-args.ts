// Exec form: deciding whether an instruction's arguments are a JSON array of strings. BuildKit
// decodes with Go's encoding/json; where that differs from JSON.parse (number overflow, lone
// surrogates, nesting depth) the Go outcome is reproduced, because it decides exec vs shell form.
import { DockerfileSyntaxError, lineRange } from '../lib/errors.js';
import { trimLeftUnicodeSpace } from './unicode-space.js';

export const NOT_STRING_ARRAY_MESSAGE = 'when using JSON array syntax, arrays must be comprised of strings only';

// encoding/json refuses documents nested deeper than this, which makes them "not JSON" (shell form).
const GO_JSON_MAX_DEPTH = 10000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Whether Go's decoder would reject this valid JSON: nesting deeper than its limit, or a number too
 * large for a float64 (Go reports an error where JSON.parse gives Infinity). One scan, no recursion
 * (a JSON.parse reviver would recurse and overflow the stack on deep input).
 */
function goDecoderRejects(json: string): boolean {
  let depth = 0;
  for (let index = 0; index < json.length; index++) {
    const char = json[index]!;
    if (char === '"') {
      for (index++; json[index] !== '"'; index++) if (json[index] === '\\') index++;
    } else if (char === '[' || char === '{') {
      if (++depth > GO_JSON_MAX_DEPTH) return true;
    } else if (char === ']' || char === '}') {
      depth--;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      const start = index;
      while (index + 1 < json.length && /[-+.eE0-9]/.test(json[index + 1]!)) index++;
      if (!Number.isFinite(Number(json.slice(start, index + 1)))) return true;
    }
  }
  return false;
}

/**
 * The exec-form recogniser (BuildKit's parseJSON). Returns the elements of a JSON array of strings,
 * with JSON escapes decoded; undefined when the text is not a JSON array (the caller falls back to
 * shell form). Throws when the text is a JSON array with a non-string element.
 */
export function parseJsonStringArray(text: string): string[] | undefined {
  const json = trimLeftUnicodeSpace(text);
  if (!json.startsWith('[')) return undefined;
  let elements: unknown;
  try {
    elements = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(elements)) return undefined;
  if (elements.every((element): element is string => typeof element === 'string')) {
    return elements.map((element) => element.replace(LONE_SURROGATE, '\uFFFD'));
  }
  // Only an array with a non-string element can hold what Go rejects (nesting, huge numbers).
  if (goDecoderRejects(json)) return undefined;
  throw new DockerfileSyntaxError(NOT_STRING_ARRAY_MESSAGE, lineRange(1));
}

/** The values of an instruction's arguments and whether they were exec form. */
export interface ArgumentValues {
  readonly args: readonly string[];
  readonly json: boolean;
}

/** RUN, CMD, ENTRYPOINT, SHELL: exec form, else the whole text as one shell-form value. */
export function execOrShellForm(text: string): ArgumentValues {
  if (text === '') return { args: [], json: false };
  const elements = parseJsonStringArray(text);
  return elements ? { args: elements, json: true } : { args: [text], json: false };
}
