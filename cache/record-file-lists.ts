// The file lists of a cache record (context-files.ts), kept in a sealed file beside the record,
// `records/<hh>/<key>.files.json`, rather than in it: a cache hit reads the record and never
// this file, so however large a context is, checking the cache costs the same. Only explaining
// a miss reads it. The record names the list's digest, so a list left over from an older record
// of the same key is never taken for the current one.
//
// Written before the record and not fsynced: a list lost to a crash only loses an explanation.
// A list whose record is gone (a crash between the two writes) is removed by prune and verify.
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { canonicalJson, sha256Hex, type Json } from './cache-key.js';
import { sealJson, unsealJson } from './sealed-json.js';

const SUFFIX = '.files.json';

/** `<key>.json` → `<key>.files.json`. */
export function fileListsPath(recordPath: string): string {
  return recordPath.slice(0, -'.json'.length) + SUFFIX;
}

/** Writes the lists; returns their digest, for the record to name. */
export async function writeFileLists(path: string, body: Json, tmpDir: string): Promise<string> {
  const digest = sha256Hex(canonicalJson(body));
  await writeFileAtomic(path, sealJson(body), { tmpDir, mode: 0o600, durable: false });
  return digest;
}

/** The lists the record names, or undefined when they are missing, damaged or another record's. */
export async function readFileLists(path: string, digest: string): Promise<Json | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const unsealed = unsealJson(text);
  if (!unsealed.ok || sha256Hex(canonicalJson(unsealed.body)) !== digest) return undefined;
  return unsealed.body;
}

export async function removeFileLists(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Bytes of a record's lists (0 when there are none). */
export async function fileListsBytes(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

/**
 * Removes lists whose record file is gone, in every shard of `recordsDir`; returns how many.
 * Young ones are left alone: a build may be between writing a list and its record.
 */
export async function removeOrphanFileLists(recordsDir: string, minAgeMs = 10 * 60_000): Promise<number> {
  let removed = 0;
  const before = Date.now() - minAgeMs;
  for (const shard of await readdir(recordsDir).catch(() => [] as string[])) {
    const names = new Set(await readdir(join(recordsDir, shard)).catch(() => [] as string[]));
    for (const name of names) {
      if (!name.endsWith(SUFFIX) || names.has(name.slice(0, -SUFFIX.length) + '.json')) continue;
      const path = join(recordsDir, shard, name);
      const stats = await stat(path).catch(() => undefined);
      if (stats === undefined || stats.mtimeMs > before) continue;
      await removeFileLists(path);
      removed++;
    }
  }
  return removed;
}
