// Sizes as Docker prints and reads them: decimal units (`docker images` says 4.26MB for
// 4,261,000 bytes) in output; `--keep-storage`-style input also accepts binary suffixes.
import { NANOSECONDS_PER_MILLISECOND, parseGoDuration } from '../../parser/durations.js';
import { UsageError } from '../errors.js';

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** `4.26MB`: three significant digits, as go-units HumanSize prints. */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${DECIMAL_UNITS[unit]}`;
}

const SIZE_TEXT = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)b?$/i;

/** `10GB`, `512MiB`, `1.5g`, `4096`: bytes, or a usage error naming the flag. */
export function parseSizeFlag(text: string, flag: string): number {
  const match = SIZE_TEXT.exec(text.trim());
  if (!match) throw new UsageError(`invalid size "${text}" for --${flag}: expected a number with an optional unit (B, kB, MB, GB, TB, or KiB, MiB, GiB...)`);
  const power = 'kmgtp'.indexOf(match[2]!.toLowerCase()) + 1;
  const base = match[3] ? 1024 : 1000;
  return Math.floor(Number(match[1]) * base ** power);
}

/** `--filter until=24h`: a Go duration (`24h`, `90m`, `1h30m`) in milliseconds, or a usage error. */
export function parseAgeFlag(text: string, flag: string): number {
  try {
    const nanoseconds = parseGoDuration(text.trim());
    if (nanoseconds < 0) throw new Error('negative');
    return nanoseconds / NANOSECONDS_PER_MILLISECOND;
  } catch {
    throw new UsageError(`invalid duration "${text}" for --${flag}: expected a Go duration such as 24h, 90m or 1h30m`);
  }
}
