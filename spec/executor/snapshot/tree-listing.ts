// One line per entry of a tree view (a real folder or stacked snapshots): path, type, mode,
// owner, link count, size, content hash or link target, mtime seconds. Two trees are "the same"
// for round-trip specs when their listings are equal.
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { compareNames } from '../../../executor/snapshot/change.js';
import type { TreeView } from '../../../executor/snapshot/lower-view.js';

function typeOf(info: { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean }): string {
  return info.isDirectory() ? 'd' : info.isFile() ? 'f' : info.isSymbolicLink() ? 'l' : info.isFIFO() ? 'p' : '?';
}

/**
 * `mtimes: false` leaves times out (a step touches folders); `links: false` leaves link counts out
 * (in stacked snapshots a lower inode keeps the count of its own layer, as in an overlay mount).
 */
export async function listView(view: TreeView, options: { mtimes?: boolean; links?: boolean } = {}): Promise<string[]> {
  const lines: string[] = [];
  async function visit(components: string[]): Promise<void> {
    for (const name of ((await view.children(components)) ?? []).sort(compareNames)) {
      const path = [...components, name];
      const info = (await view.lstat(path))!;
      const host = (await view.hostPath(path))!;
      const detail = info.isFile() ? createHash('sha256').update(readFileSync(host)).digest('hex').slice(0, 16) : info.isSymbolicLink() ? `-> ${readlinkSync(host)}` : '';
      const mtime = options.mtimes === false ? '' : ` t=${info.mtimeNs / 1_000_000_000n}`;
      lines.push(`${path.join('/')} ${typeOf(info)} ${(Number(info.mode) & 0o7777).toString(8)} ${info.uid}:${info.gid} n=${info.isDirectory() || options.links === false ? '' : info.nlink} ${info.isFile() ? info.size : ''} ${detail}${mtime}`);
      if (info.isDirectory()) await visit(path);
    }
  }
  await visit([]);
  return lines;
}

export interface TarListingEntry {
  readonly name: string;
  readonly type: string;
  readonly linkname?: string;
}

/** The entries of a tar, in order: name, type and link target. */
export async function listTar(bytes: Buffer): Promise<TarListingEntry[]> {
  const entries: TarListingEntry[] = [];
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      entries.push({ name: header.name, type: header.type, ...(header.linkname ? { linkname: header.linkname } : {}) });
      stream.on('end', () => next());
      stream.resume();
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  Readable.from([bytes]).pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return entries;
}
