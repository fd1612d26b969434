// JSON text the way Go's encoding/json writes it, so config and manifest bytes (and therefore
// their digests) match what BuildKit and Docker produce for the same values. Key order is the
// caller's: structs are plain objects built in Go's field order; Go maps are passed as `Map`s
// in sorted order (`goMap`), because a plain object would put integer-like keys ("80") first.
// Go escapes <, > and & (HTML safety) and the JavaScript line terminators U+2028/U+2029.
// Properties whose value is undefined are left out (Go's omitempty, decided by the caller).

export type GoValue = null | boolean | number | string | readonly GoValue[] | ReadonlyMap<string, GoValue> | { readonly [key: string]: GoValue | undefined };

/** Go's json.Marshal text of `value` (compact). */
export function goJson(value: GoValue): string {
  return write(value, '', '');
}

/** Go's json.MarshalIndent(value, "", indent). */
export function goJsonIndent(value: GoValue, indent: string): string {
  return write(value, indent, '');
}

/** A Go map: its entries sorted by key bytes, as encoding/json writes maps. */
export function goMap<T extends GoValue>(map: Readonly<Record<string, T>> | ReadonlyMap<string, T>): Map<string, T> {
  const entries = map instanceof Map ? [...map.entries()] : Object.entries(map as Record<string, T>);
  return new Map(entries.sort(([a], [b]) => compareBytes(a, b)));
}

/** Byte-wise comparison of UTF-8 strings (Go's sort order for map keys). */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function write(value: GoValue, indent: string, prefix: string): string {
  if (value === null || typeof value !== 'object') return scalar(value);
  const inner = prefix + indent;
  const open = (items: string[], left: string, right: string): string => {
    if (items.length === 0) return left + right;
    if (indent === '') return left + items.join(',') + right;
    return `${left}\n${inner}${items.join(`,\n${inner}`)}\n${prefix}${right}`;
  };
  if (Array.isArray(value)) return open(value.map((item: GoValue) => write(item, indent, inner)), '[', ']');
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  const colon = indent === '' ? ':' : ': ';
  const items = entries.filter(([, item]) => item !== undefined).map(([key, item]) => `${quote(key)}${colon}${write(item as GoValue, indent, inner)}`);
  return open(items, '{', '}');
}

function scalar(value: null | boolean | number | string): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`json: unsupported value: ${value}`);
  return JSON.stringify(value);
}

function quote(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
