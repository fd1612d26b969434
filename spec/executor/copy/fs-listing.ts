// Spec helper: the listing the reference's normalize tool prints for a flattened filesystem
// (`path type mode uid:gid size sha256-prefix` or `-> target`), for paths under given prefixes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';

function typeOf(info: fs.Stats): string {
  if (info.isFile()) return 'f';
  if (info.isDirectory()) return 'd';
  if (info.isSymbolicLink()) return 'l';
  if (info.isCharacterDevice()) return 'c';
  return info.isBlockDevice() ? 'b' : 'p';
}

function row(root: string, path: string): string {
  const host = join(root, path);
  const info = fs.lstatSync(host);
  let extra = '';
  if (info.isFile()) extra = `${info.size} ${createHash('sha256').update(fs.readFileSync(host)).digest('hex').slice(0, 16)}`;
  else if (info.isSymbolicLink()) extra = `-> ${fs.readlinkSync(host)}`;
  const mode = (info.mode & 0o7777).toString(8).padStart(4, '0');
  return `${path} ${typeOf(info)} ${mode} ${info.uid}:${info.gid} ${extra}`.trimEnd();
}

function walk(root: string, path: string, out: string[]): void {
  if (!fs.lstatSync(join(root, path), { throwIfNoEntry: false })) return;
  out.push(row(root, path));
  const info = fs.lstatSync(join(root, path));
  if (info.isDirectory()) for (const name of fs.readdirSync(join(root, path))) walk(root, `${path}/${name}`, out);
}

/** Sorted rows for each prefix (a path and everything under it), as normalize.py sorts them. */
export function listTouched(root: string, prefixes: readonly string[]): string[] {
  const out: string[] = [];
  for (const prefix of prefixes) walk(root, prefix, out);
  return [...new Set(out)].sort();
}
