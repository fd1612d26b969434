// Sizes such as `64m`, `1.5GiB` or `512`, read as docker/go-units RAMInBytes reads them (binary
// multiples, unit letters in any case, `i` and `b` optional). Used for tmpfs mount sizes.

const SIZE = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i;
const MULTIPLIERS: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** Bytes, or undefined when the text is not a size. Fractions are truncated, as Go's int64 conversion does. */
export function parseRamSize(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const number = match[1]!;
  // Go's ParseFloat rejects `1.2.3`, which the pattern lets through.
  if (number.split('.').length > 2) return undefined;
  const multiplier = match[2] === undefined ? 1 : MULTIPLIERS[match[2].toLowerCase()]!;
  return Math.trunc(Number(number) * multiplier);
}
