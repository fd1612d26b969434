// Exec form: deciding whether an instruction's arguments are a JSON array of strings. BuildKit
// decodes with Go's encoding/json; where that differs from JSON.parse (number overflow, lone
// surrogates, nesting depth) the Go outcome is reproduced, because it decides exec vs shell form.
import { DockerfileSyntaxError, lineRange } from '../lib/errors.js';
import { trimLeftUnicodeSpace } from './unicode-space.js';

export const NOT_STRING_ARRAY_MESSAGE = 'when using JSON array syntax, arrays must be comprised of strings only';

// encoding/json refuses documents nested deeper than this, which makes them "not JSON" (shell form).
const GO_JSON_MAX_DEPTH = 10000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function exceedsGoNestingLimit(json: string): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < json.length; index++) {
    const char = json[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      if (++depth > GO_JSON_MAX_DEPTH) return true;
    } else if (char === ']' || char === '}') depth--;
  }
  return false;
}

/** JSON.parse, or undefined where Go's decoder into `[]any` would fail. */
function decodeLikeGo(json: string): unknown[] | undefined {
  let numberOverflowed = false;
  let decoded: unknown;
  try {
    decoded = JSON.parse(json, (_key, value: unknown) => {
      // Go cannot hold 1e999 in a float64 and reports an error instead of Infinity.
      if (typeof value === 'number' && !Number.isFinite(value)) numberOverflowed = true;
      return value;
    });
  } catch {
    return undefined;
  }
  return numberOverflowed || !Array.isArray(decoded) ? undefined : decoded;
}

/**
 * The exec-form recogniser (BuildKit's parseJSON). Returns the elements of a JSON array of strings,
 * with JSON escapes decoded; undefined when the text is not a JSON array (the caller falls back to
 * shell form). Throws when the text is a JSON array with a non-string element.
 */
export function parseJsonStringArray(text: string): string[] | undefined {
  const json = trimLeftUnicodeSpace(text);
  if (!json.startsWith('[')) return undefined;
  const elements = decodeLikeGo(json);
  if (elements === undefined) return undefined;
  if (elements.every((element): element is string => typeof element === 'string')) {
    return elements.map((element) => element.replace(LONE_SURROGATE, '\uFFFD'));
  }
  // Only now is the depth worth measuring: within the limit, a non-string element is an error.
  if (exceedsGoNestingLimit(json)) return undefined;
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
