// A tiny ustar/PAX writer for test fixtures. Unlike a real archiver it writes *any* header it is
// given: names with `..` or a leading `/`, hard links to arbitrary names, device nodes, negative
// sizes, sizes that lie about the data, huge PAX records, unknown type flags. Specs use it to build
// hostile layers byte by byte (SECURITY §2: "don't use node-tar for fixtures").

export type TarFixtureType = 'file' | 'dir' | 'symlink' | 'link' | 'char' | 'block' | 'fifo';

export interface TarFixtureEntry {
  readonly name: string;
  /** A named type, or a raw one-character type flag (e.g. 'S' for a GNU sparse file). */
  readonly type?: TarFixtureType | { readonly flag: string };
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Seconds since the epoch (default: 2024-01-01). */
  readonly mtime?: number;
  readonly data?: string | Buffer;
  /** The size written in the header; defaults to the data length. May be negative (base-256). */
  readonly size?: number;
  readonly linkname?: string;
  readonly devmajor?: number;
  readonly devminor?: number;
  /** PAX records written in an `x` header right before this entry. */
  readonly pax?: Readonly<Record<string, string>>;
}

export interface TarFixtureOptions {
  /** Write the two zero blocks that end an archive (default true). */
  readonly trailer?: boolean;
}

const BLOCK = 512;
const DEFAULT_MTIME = 1_704_067_200;
const FLAGS: Record<TarFixtureType, string> = { file: '0', link: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

/** The bytes of a tar archive holding exactly these entries, in this order. */
export function mkTar(entries: readonly TarFixtureEntry[], options: TarFixtureOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) parts.push(...entryBlocks(entry));
  if (options.trailer ?? true) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function entryBlocks(entry: TarFixtureEntry): Buffer[] {
  const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : (entry.data ?? Buffer.alloc(0));
  const pax = { ...entry.pax };
  if (Buffer.byteLength(entry.name) > 100 && pax.path === undefined) pax.path = entry.name;
  if (Buffer.byteLength(entry.linkname ?? '') > 100 && pax.linkpath === undefined) pax.linkpath = entry.linkname!;
  const blocks: Buffer[] = [];
  if (Object.keys(pax).length > 0) {
    const body = Buffer.concat(Object.entries(pax).map(([key, value]) => paxRecord(key, value)));
    blocks.push(header({ name: 'PaxHeaders.0/entry', type: { flag: 'x' } }, body.length), padded(body));
  }
  blocks.push(header(entry, entry.size ?? data.length), padded(data));
  return blocks;
}

function header(entry: TarFixtureEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const type = entry.type ?? 'file';
  const name = entry.type === 'dir' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  block.write(name.slice(0, 100), 0, 100, 'utf8');
  numeric(block, 100, 8, entry.mode ?? (type === 'dir' ? 0o755 : 0o644));
  numeric(block, 108, 8, entry.uid ?? 0);
  numeric(block, 116, 8, entry.gid ?? 0);
  numeric(block, 124, 12, size);
  numeric(block, 136, 12, entry.mtime ?? DEFAULT_MTIME);
  block.write(typeof type === 'string' ? FLAGS[type] : type.flag, 156, 1, 'latin1');
  block.write((entry.linkname ?? '').slice(0, 100), 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'latin1');
  numeric(block, 329, 8, entry.devmajor ?? 0);
  numeric(block, 337, 8, entry.devminor ?? 0);
  block.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return block;
}

/** Octal with a NUL terminator when it fits, else base-256 (0x80 prefix, 0xff for negatives). */
function numeric(block: Buffer, offset: number, length: number, value: number): void {
  const octal = value >= 0 ? value.toString(8) : '';
  if (value >= 0 && octal.length <= length - 1) {
    block.write(`${octal.padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
    return;
  }
  let rest = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = Number(BigInt.asUintN(8, rest));
    rest >>= 8n;
  }
  block[offset] = value < 0 ? 0xff : 0x80;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let size = Buffer.byteLength(body) + 1;
  while (String(size).length + Buffer.byteLength(body) !== size) size = String(size).length + Buffer.byteLength(body);
  return Buffer.from(`${size}${body}`);
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
