// A hand-rolled ustar writer for fixtures: it writes any header we ask for (`..`, absolute
// names, links anywhere), which is the point — a tar library would refuse or "fix" them.
import { gzipSync } from 'node:zlib';

export interface TarFixtureEntry {
  readonly name: string;
  readonly type?: 'file' | 'dir' | 'symlink' | 'link' | 'fifo' | 'chardev';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

const TYPE_FLAGS = { file: '0', link: '1', symlink: '2', chardev: '3', dir: '5', fifo: '6' } as const;

export function makeTar(entries: readonly TarFixtureEntry[], options: { gzip?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? '');
    blocks.push(header(entry, content.length));
    if (content.length > 0) blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return options.gzip ? gzipSync(tar) : tar;
}

function header(entry: TarFixtureEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  const type = entry.type ?? 'file';
  writeString(block, 0, 100, entry.name);
  writeOctal(block, 100, 8, entry.mode ?? (type === 'dir' ? 0o755 : 0o644));
  writeOctal(block, 108, 8, entry.uid ?? 0);
  writeOctal(block, 116, 8, entry.gid ?? 0);
  writeOctal(block, 124, 12, type === 'file' ? size : 0);
  writeOctal(block, 136, 12, 1_700_000_000);
  block.fill(' ', 148, 156);
  block.write(TYPE_FLAGS[type], 156, 'latin1');
  writeString(block, 157, 100, entry.linkname ?? '');
  block.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const byte of block) sum += byte;
  writeOctal(block, 148, 7, sum);
  return block;
}

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`fixture name too long: ${value}`);
  bytes.copy(block, offset);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'latin1');
}
