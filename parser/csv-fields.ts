// One line of comma-separated values, read as Go's encoding/csv reads a record (what BuildKit uses
// for `--mount` and `--device` values): `"a,b",c` is two fields, `""` inside quotes is one quote,
// and a stray quote is an error worded as Go's.

/** Go's csv.ParseError text for a record on line 1; the column counts UTF-8 bytes from 1. */
function csvError(line: string, index: number, reason: string): Error {
  const column = Buffer.byteLength(line.slice(0, index)) + 1;
  return new Error(`parse error on line 1, column ${column}: ${reason}`);
}

const BARE_QUOTE = 'bare " in non-quoted-field';
const MISPLACED_QUOTE = 'extraneous or missing " in quoted-field';

/** A quoted field starting after its opening quote at `start`; returns the value and where it ended. */
function readQuoted(line: string, start: number): { value: string; next: number } {
  let value = '';
  let index = start;
  for (;;) {
    const quote = line.indexOf('"', index);
    if (quote < 0) throw csvError(line, index, MISPLACED_QUOTE);
    value += line.slice(index, quote);
    index = quote + 1;
    if (line[index] === '"') {
      value += '"';
      index++;
    } else if (line[index] === ',' || index === line.length) {
      return { value, next: index };
    } else {
      throw csvError(line, quote, MISPLACED_QUOTE);
    }
  }
}

/** The fields of one CSV line. An empty line is an error (Go reports it as `EOF`). */
export function csvFields(input: string): string[] {
  const line = input.endsWith('\r\n') ? input.slice(0, -2) : input.endsWith('\n') ? input.slice(0, -1) : input;
  if (line === '') throw new Error('EOF');
  const fields: string[] = [];
  let index = 0;
  for (;;) {
    if (line[index] === '"') {
      const { value, next } = readQuoted(line, index + 1);
      fields.push(value);
      if (next === line.length) return fields;
      index = next + 1;
      continue;
    }
    const comma = line.indexOf(',', index);
    const field = comma < 0 ? line.slice(index) : line.slice(index, comma);
    const quote = field.indexOf('"');
    if (quote >= 0) throw csvError(line, index + quote, BARE_QUOTE);
    fields.push(field);
    if (comma < 0) return fields;
    index = comma + 1;
  }
}
