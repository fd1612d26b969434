// What generate.sh's layer_entries prints for `docker save` of an image, from tsbuild's own store:
// each layer's entries in tar order as "L<index> <type> <mode> <uid>:<gid> <name>" (no times), a
// layer of more than 100 entries as a count, an empty one as "(empty)".
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import tarStream from 'tar-stream';
import type { ContentStore } from '../../cache/content-store.js';
import type { StoredImage } from '../../lib/store/image-store.js';

const KINDS: Record<string, string> = { directory: 'd', file: 'f', symlink: 'l', link: 'h', 'character-device': 'c', 'block-device': 'b', fifo: 'p' };

interface Entry {
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
}

async function entriesOf(bytes: Buffer): Promise<Entry[]> {
  const entries: Entry[] = [];
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      entries.push({ type: KINDS[header.type ?? ''] ?? '?', mode: (header.mode ?? 0) & 0o7777, uid: header.uid ?? 0, gid: header.gid ?? 0, name: header.name.replace(/^\.\//, '').replace(/\/$/, '') });
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

export async function layerEntries(content: ContentStore, image: StoredImage): Promise<string[]> {
  const lines: string[] = [];
  for (const [index, layer] of image.layers.entries()) {
    const entries = await entriesOf(await buffer(await content.createVerifiedReadStream(layer.digest)));
    if (entries.length > 100) lines.push(`L${index} (${entries.length} entries)`);
    else if (entries.length === 0) lines.push(`L${index} (empty)`);
    else for (const e of entries) lines.push(`L${index} ${e.type} ${e.mode.toString(8).padStart(4, '0')} ${e.uid}:${e.gid} ${e.name}`);
  }
  return lines;
}
