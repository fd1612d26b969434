// Go durations (`30s`, `1m30s`, `1.5h`, `250ms`), the syntax HEALTHCHECK flags use, read and
// printed exactly as Go's time package does: parse errors and history text must match BuildKit.
// Values are nanoseconds; the arithmetic is done in bigint so overflow is caught where Go does.
import { goQuote } from './syntax-dump.js';

const UNIT_NANOSECONDS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n],
  ['\u03bcs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const LIMIT = 1n << 63n;

export const NANOSECONDS_PER_MILLISECOND = 1_000_000;

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/** One `<number><unit>` term at the start of `text`: its value in nanoseconds and the rest. */
function readTerm(text: string, original: string): { nanoseconds: bigint; rest: string } {
  const invalid = new Error(`time: invalid duration ${goQuote(original)}`);
  if (!(text[0] === '.' || isDigit(text[0]))) throw invalid;
  let index = 0;
  let whole = 0n;
  while (isDigit(text[index])) {
    whole = whole * 10n + BigInt(text.charCodeAt(index++) - 48);
    if (whole > LIMIT) throw invalid;
  }
  const hasWhole = index > 0;
  let fraction = 0n;
  let scale = 1;
  let hasFraction = false;
  if (text[index] === '.') {
    index++;
    let overflowed = false;
    for (; isDigit(text[index]); index++) {
      hasFraction = true;
      // Once the fraction stops fitting, the remaining digits are read but ignored, as in Go.
      const next = fraction * 10n + BigInt(text.charCodeAt(index) - 48);
      overflowed ||= next > LIMIT;
      if (!overflowed) [fraction, scale] = [next, scale * 10];
    }
  }
  if (!hasWhole && !hasFraction) throw invalid;
  const unitStart = index;
  while (index < text.length && text[index] !== '.' && !isDigit(text[index])) index++;
  if (index === unitStart) throw new Error(`time: missing unit in duration ${goQuote(original)}`);
  const unitName = text.slice(unitStart, index);
  const unit = UNIT_NANOSECONDS.get(unitName);
  if (unit === undefined) throw new Error(`time: unknown unit ${goQuote(unitName)} in duration ${goQuote(original)}`);
  if (whole > LIMIT / unit) throw invalid;
  let nanoseconds = whole * unit;
  if (fraction > 0n) nanoseconds += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
  if (nanoseconds > LIMIT) throw invalid;
  return { nanoseconds, rest: text.slice(index) };
}

/** Go's time.ParseDuration, in nanoseconds. Throws an Error worded as Go's. */
export function parseGoDuration(text: string): number {
  let rest = text;
  const negative = rest.startsWith('-');
  if (negative || rest.startsWith('+')) rest = rest.slice(1);
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${goQuote(text)}`);
  let total = 0n;
  while (rest !== '') {
    const term = readTerm(rest, text);
    total += term.nanoseconds;
    if (total > LIMIT) throw new Error(`time: invalid duration ${goQuote(text)}`);
    rest = term.rest;
  }
  if (!negative && total > LIMIT - 1n) throw new Error(`time: invalid duration ${goQuote(text)}`);
  return Number(negative ? -total : total);
}

/** `digits` of `value / 10^places` after the point, trailing zeros (and the point) dropped. */
function fractionText(value: bigint, places: number): string {
  const digits = (value % 10n ** BigInt(places)).toString().padStart(places, '0').replace(/0+$/, '');
  return digits === '' ? '' : `.${digits}`;
}

/** Go's Duration.String(): `0s`, `1.5µs`, `100ms`, `1m30s`, `1h0m0s`. */
export function formatGoDuration(nanoseconds: number): string {
  let value = BigInt(Math.trunc(nanoseconds));
  const sign = value < 0n ? '-' : '';
  if (value < 0n) value = -value;
  if (value === 0n) return '0s';
  if (value < 1_000n) return `${sign}${value}ns`;
  if (value < 1_000_000n) return `${sign}${value / 1_000n}${fractionText(value, 3)}µs`;
  if (value < 1_000_000_000n) return `${sign}${value / 1_000_000n}${fractionText(value, 6)}ms`;
  const seconds = `${(value / 1_000_000_000n) % 60n}${fractionText(value, 9)}s`;
  const totalMinutes = value / 60_000_000_000n;
  if (totalMinutes === 0n) return `${sign}${seconds}`;
  const hours = totalMinutes / 60n;
  const minutes = `${totalMinutes % 60n}m`;
  return hours === 0n ? `${sign}${minutes}${seconds}` : `${sign}${hours}h${minutes}${seconds}`;
}
