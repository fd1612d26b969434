// The setup script mounts in batches with `mount --all --fstab FILE` (one process per batch instead
// of one per mount: the difference between ~15 ms and ~60 ms per step). Paths come from images
// and callers, so every byte outside a small safe set is written as the octal escape libmount's
// fstab parser decodes (\040 for a space, \012 for a newline...): a path can never split a field
// or start a comment.

export interface FstabEntry {
  readonly source: string;
  readonly target: string;
  readonly type: string;
  readonly options: readonly string[];
}

const SAFE_BYTE = /[A-Za-z0-9/._+,:=@%-]/;

export function escapeFstabField(value: string): string {
  if (value === '') throw new Error('fstab fields cannot be empty');
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE_BYTE.test(char) ? char : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

export function fstabLine(entry: FstabEntry): string {
  const options = entry.options.length > 0 ? entry.options.join(',') : 'defaults';
  return [entry.source, entry.target, entry.type, options, '0', '0'].map(escapeFstabField).join(' ');
}

export function fstabText(entries: readonly FstabEntry[]): string {
  return entries.map((entry) => `${fstabLine(entry)}\n`).join('');
}
