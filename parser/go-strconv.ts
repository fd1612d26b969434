// The few Go strconv readers BuildKit applies to option values, with their exact acceptance rules
// (which spellings of true, which digits), so values are accepted or refused as BuildKit would.

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool; undefined when the text is not one of its spellings. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

/**
 * Go's strconv.ParseUint(text, base, 32) for base 8 or 10: digits of that base only (no sign, no
 * prefix, no underscores), at most 2^32 - 1. Undefined when Go would return an error.
 */
export function parseGoUint32(text: string, base: 8 | 10): number | undefined {
  const digits = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(text)) return undefined;
  const value = parseInt(text, base);
  return value <= 0xffffffff ? value : undefined;
}
