// A JSON document that carries the sha256 of its own canonical body, so a file that was
// truncated, zeroed by a power loss, garbled or edited by hand is recognised as such when it is
// read, instead of being parsed into a plausible but wrong value (cacache hashes each index
// line for the same reason). The seal detects accidents, not an attacker who can write the
// root: such a person can also rewrite the seal.
import { canonicalJson, sha256Hex, type Json } from './cache-key.js';

const FORMAT = 1;

/** `{"v":1,"sha256":"<hex>","body":…}` followed by a newline. */
export function sealJson(body: Json): string {
  const text = canonicalJson(body);
  return `{"v":${FORMAT},"sha256":"${sha256Hex(text)}","body":${text}}\n`;
}

export type Unsealed = { readonly ok: true; readonly body: Json } | { readonly ok: false; readonly reason: string };

export function unsealJson(text: string): Unsealed {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return { ok: false, reason: text.length === 0 ? 'empty file' : 'not JSON (truncated or garbled)' };
  }
  if (typeof envelope !== 'object' || envelope === null) return { ok: false, reason: 'not a sealed record' };
  const { v, sha256, body } = envelope as { v?: unknown; sha256?: unknown; body?: unknown };
  if (v !== FORMAT) return { ok: false, reason: `unknown format version ${JSON.stringify(v)}` };
  if (typeof sha256 !== 'string' || body === undefined) return { ok: false, reason: 'not a sealed record' };
  if (sha256Hex(canonicalJson(body)) !== sha256) return { ok: false, reason: 'checksum mismatch' };
  return { ok: true, body: body as Json };
}
