// Cache keys: sha256 over the canonical JSON of everything that can change a step's result.
// Canonical JSON (sorted keys, no whitespace, JSON string escapes) gives one byte string per
// value, so two processes, or two versions of tsbuild with the same SCHEMA, compute the same
// key. Strings are never joined with separators: structure is kept by JSON itself, so no two
// different inputs can produce the same text. Golden digests in the specs lock the recipe;
// any change to it must bump SCHEMA, which invalidates every older record at once.
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The version of the key recipe. Bump it whenever `keyInput`, `canonicalJson` or any caller's `op` shape changes meaning. */
export const SCHEMA = 3;

/** The parts of a step's cache key, as the builder describes the step. */
export interface KeyParts {
  /** The previous key, a base image's manifest digest, or `scratch`. */
  readonly parent: string;
  /** The instruction kind (`RUN`, `COPY`…). */
  readonly kind: string;
  /** Everything about the instruction and state that can change the result. */
  readonly op: Json;
  readonly platform: Json;
  /** Content digests of inputs (e.g. selected context paths); default `[]`. */
  readonly inputs?: Json;
  /**
   * The time layer entries are clamped to (seconds since 1970), or null when layers keep the times
   * files had: the same changes give a different layer under another epoch, so it is in the key.
   */
  readonly layerEpoch?: number | null;
}

/** The exact object a key hashes: records keep it so `explainKeyChange` can say what moved. */
export function keyInput(parts: KeyParts): Json {
  const input: { [key: string]: Json } = { v: SCHEMA, parent: parts.parent, kind: parts.kind, op: parts.op, platform: parts.platform, inputs: parts.inputs ?? [] };
  if (parts.layerEpoch !== undefined) input.layerEpoch = parts.layerEpoch;
  return input;
}

/** The step's cache key: 64 lowercase hex digits. */
export function cacheKey(parts: KeyParts): string {
  return sha256Hex(canonicalJson(keyInput(parts)));
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * One text per JSON value: object keys sorted by UTF-16 code units (as RFC 8785 does), no
 * whitespace, strings and numbers as JSON.stringify writes them. Throws TypeError on anything
 * that is not plain JSON (undefined, functions, symbols, bigint, NaN, Infinity, class
 * instances such as Date, sparse arrays, cycles) instead of silently dropping it, because a
 * dropped field would let two different inputs share a key.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$', new Set());
}

function serialize(value: unknown, path: string, open: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw notJson(`${value}`, path);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      if (open.has(value)) throw notJson('a cycle', path);
      open.add(value);
      try {
        return Array.isArray(value) ? serializeArray(value, path, open) : serializeObject(value, path, open);
      } finally {
        open.delete(value);
      }
    default:
      throw notJson(typeof value, path);
  }
}

function serializeArray(items: unknown[], path: string, open: Set<object>): string {
  const parts: string[] = [];
  for (let index = 0; index < items.length; index++) {
    if (!(index in items)) throw notJson('a hole in an array', `${path}[${index}]`);
    parts.push(serialize(items[index], `${path}[${index}]`, open));
  }
  return `[${parts.join(',')}]`;
}

function serializeObject(object: object, path: string, open: Set<object>): string {
  const proto = Object.getPrototypeOf(object) as unknown;
  if (proto !== Object.prototype && proto !== null) throw notJson(`an instance of ${object.constructor?.name ?? 'a class'}`, path);
  if (Object.getOwnPropertySymbols(object).length > 0) throw notJson('a symbol key', path);
  const record = object as Record<string, unknown>;
  const parts = Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${serialize(record[key], childPath(path, key), open)}`);
  return `{${parts.join(',')}}`;
}

function notJson(what: string, path: string): TypeError {
  return new TypeError(`canonicalJson: ${what} is not JSON (at ${path})`);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Values whose JSON is longer than this are reported as "changed" rather than printed. */
const SHOWN_VALUE_LENGTH = 48;

/**
 * Human-readable differences between two key inputs, e.g. `op.env.VERSION: "1.0" → "2.0"`,
 * `inputs[0].files["src/server.js"] changed`, `op.env.DEBUG added: "1"`. A generic deep diff:
 * the builder rephrases paths per instruction. At most `limit` lines, then a count of the rest.
 */
export function explainKeyChange(oldInput: Json, newInput: Json, limit = 50): string[] {
  const lines: string[] = [];
  let more = 0;
  const report = (line: string): void => {
    if (lines.length < limit) lines.push(line);
    else more++;
  };
  diffValues(oldInput, newInput, '', report);
  if (more > 0) lines.push(`… and ${more} more difference${more === 1 ? '' : 's'}`);
  return lines;
}

function diffValues(before: Json, after: Json, path: string, report: (line: string) => void): void {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) diffMember(before, after, key, childPath(path, key), report);
  } else if (Array.isArray(before) && Array.isArray(after)) {
    for (let index = 0; index < Math.max(before.length, after.length); index++) {
      diffMember(before, after, index, `${path}[${index}]`, report);
    }
  } else if (before !== after) {
    const shownBefore = shown(before);
    const shownAfter = shown(after);
    const name = path === '' ? 'value' : path;
    report(shownBefore !== undefined && shownAfter !== undefined ? `${name}: ${shownBefore} → ${shownAfter}` : `${name} changed`);
  }
}

function diffMember(before: Json, after: Json, member: string | number, path: string, report: (line: string) => void): void {
  const had = Object.hasOwn(before as object, member);
  const has = Object.hasOwn(after as object, member);
  const oldValue = (before as Record<string | number, Json>)[member]!;
  const newValue = (after as Record<string | number, Json>)[member]!;
  if (had && has) diffValues(oldValue, newValue, path, report);
  else if (has) report(withValue(`${path} added`, newValue, ': '));
  else report(withValue(`${path} removed`, oldValue, ' (was ', ')'));
}

function withValue(text: string, value: Json, before: string, after = ''): string {
  const printed = shown(value);
  return printed === undefined ? text : `${text}${before}${printed}${after}`;
}

function shown(value: Json): string | undefined {
  const text = canonicalJson(value);
  return text.length <= SHOWN_VALUE_LENGTH ? text : undefined;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
