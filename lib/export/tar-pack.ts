// A deterministic tar writer for image archives: entries in the order given, every header with
// owner 0:0, no user or group names and one fixed mtime, so the same images always give the same
// archive bytes. File bodies stream in (layers can be gigabytes) and their length is checked
// against the size announced in the header.
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';

export type PackEntry =
  | { readonly kind: 'dir'; readonly name: string }
  | { readonly kind: 'file'; readonly name: string; readonly data: Uint8Array }
  | { readonly kind: 'stream'; readonly name: string; readonly size: number; readonly open: () => Promise<Readable> };

export interface PackOptions {
  /** mtime of every entry (default the epoch). */
  readonly mtime?: Date;
}

/** Writes `entries` as one tar into `sink`, ending it. */
export async function packTar(entries: Iterable<PackEntry> | AsyncIterable<PackEntry>, sink: Writable, options: PackOptions = {}): Promise<void> {
  const pack = tarStream.pack();
  const writing = pipeline(pack, sink);
  writing.catch(() => undefined); // awaited below; an early sink error also ends the loop
  const mtime = options.mtime ?? new Date(0);
  try {
    for await (const entry of entries) await addEntry(pack, entry, mtime);
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    throw error;
  }
  await writing;
}

async function addEntry(pack: tarStream.Pack, entry: PackEntry, mtime: Date): Promise<void> {
  const common = { name: entry.name, mtime, uid: 0, gid: 0, uname: '', gname: '' };
  if (entry.kind === 'dir') {
    await addBuffer(pack, { ...common, type: 'directory', mode: 0o755 }, undefined);
  } else if (entry.kind === 'file') {
    await addBuffer(pack, { ...common, type: 'file', mode: 0o644, size: entry.data.length }, Buffer.from(entry.data));
  } else {
    const body = await entry.open();
    const sink = pack.entry({ ...common, type: 'file', mode: 0o644, size: entry.size });
    await pipeline(body, sink);
  }
}

function addBuffer(pack: tarStream.Pack, header: Parameters<tarStream.Pack["entry"]>[0], data: Buffer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, data ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
  });
}
