// Times in image configs. Images are reproducible by default: no wall-clock time is written
// unless the caller asks for one, and SOURCE_DATE_EPOCH (the reproducible-builds convention
// BuildKit honours) pins every time to one instant.
import { UsageError } from '../errors.js';

/** The instant SOURCE_DATE_EPOCH names (whole seconds since 1970), or undefined when unset. */
export function sourceDateEpoch(env: Readonly<Record<string, string | undefined>>): Date | undefined {
  const text = env.SOURCE_DATE_EPOCH;
  if (text === undefined || text === '') return undefined;
  if (!/^[0-9]{1,12}$/.test(text)) throw new UsageError(`invalid SOURCE_DATE_EPOCH ${JSON.stringify(text)}: expected a whole number of seconds since 1970`);
  return new Date(Number(text) * 1000);
}

/**
 * Go's time.RFC3339Nano in UTC (`2026-12-04T12:46:28.9042Z`, `1970-01-01T00:00:00Z`): trailing
 * zeros of the fraction are dropped. JavaScript dates carry milliseconds only.
 */
export function rfc3339(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('invalid date');
  return date.toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.(\d*?)0*Z$/, '.$1Z');
}

/** Parses an RFC 3339 time from a config; undefined when absent or unreadable. */
export function parseCreated(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
