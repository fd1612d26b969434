// "did you mean X?" hints for misspelt names (instructions, flags, mount options), the way
// BuildKit's util/suggest picks them: the closest option by edit distance, if closer than 3.

const MAX_DISTANCE = 3;

/** Levenshtein distance over code points (insert, delete and substitute all cost 1). */
export function editDistance(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = previous[column - 1]! + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min(previous[column]! + 1, current[column - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}

/** Gives the suggestion the case the user typed in: all lower, all upper, or as listed. */
function matchCase(option: string, typed: string): string {
  if (typed === typed.toLowerCase()) return option.toLowerCase();
  if (typed === typed.toUpperCase()) return option.toUpperCase();
  return option;
}

/**
 * The option nearest to `value`, or undefined when none is near enough. An exact match also gives
 * undefined: then the value was fine and the error is about something else. On a tie the option
 * listed first wins.
 */
export function nearestOption(value: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const wanted = caseSensitive ? value : value.toLowerCase();
  let best: string | undefined;
  let bestDistance = MAX_DISTANCE;
  for (const option of options) {
    const candidate = caseSensitive ? option : option.toLowerCase();
    if (candidate === wanted) return undefined;
    const distance = editDistance(wanted, candidate);
    if (distance < bestDistance) {
      best = caseSensitive ? candidate : matchCase(candidate, value);
      bestDistance = distance;
    }
  }
  return best;
}

/** `message (did you mean X?)` when an option is near `value`, else `message` unchanged. */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const match = nearestOption(value, options, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}
