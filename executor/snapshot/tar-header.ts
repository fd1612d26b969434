// Encodes tar headers byte for byte the way Go's archive/tar does for the headers containerd's
// ChangeWriter (and so BuildKit) produces: USTAR when every field fits, otherwise a PAX extended
// header (`x`, named `dir/PaxHeaders.0/base`, records sorted by key) followed by a USTAR-magic
// main header whose oversized fields hold zeros or truncated ASCII. Numbers are zero-padded octal
// with a NUL terminator; the checksum is six octal digits, NUL, space. Matching Go exactly means
// the same changes give the same DiffID as BuildKit, which keeps cache keys and layers comparable.
import { posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';

export const BLOCK_SIZE = 512;
/** Two zero blocks end an archive (Go writes no further record padding). */
export const TAR_TRAILER: Buffer = Buffer.alloc(2 * BLOCK_SIZE);
/** Go refuses PAX headers above 1 MiB (maxSpecialFileSize); so do we. */
const MAX_PAX_BYTES = 1 << 20;

export const TYPE_FILE = '0';
export const TYPE_HARDLINK = '1';
export const TYPE_SYMLINK = '2';
export const TYPE_CHAR = '3';
export const TYPE_BLOCK = '4';
export const TYPE_DIR = '5';
export const TYPE_FIFO = '6';

export interface TarHeader {
  /** Full name; folders end with `/`. */
  readonly name: string;
  readonly typeflag: string;
  /** Permission and special bits only (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Whole seconds since the epoch. */
  readonly mtime: number;
  readonly linkname?: string;
  readonly devmajor?: number;
  readonly devminor?: number;
  /** Extra PAX records, e.g. `SCHILY.xattr.security.capability`. */
  readonly paxRecords?: Readonly<Record<string, string>>;
}

/** The header blocks for one entry (a PAX header and its data first, when needed). */
export function encodeTarHeader(header: TarHeader): Buffer {
  const pax = paxRecordsFor(header);
  if (pax === null) return ustarBlock(header);
  const body = Buffer.concat(Object.keys(pax).sort(compareBytes).map((key) => paxRecord(key, pax[key]!)));
  if (body.length > MAX_PAX_BYTES) throw new TsbuildError('E_STEP', `the PAX header for ${header.name} exceeds 1 MiB`);
  const [dir, file] = splitLast(header.name);
  const extended = rawBlock(posix.join(dir, 'PaxHeaders.0', file), 'x', body.length);
  return Buffer.concat([extended, body, padding(body.length), mainBlock(header, true)]);
}

/** Zero bytes that fill data of `size` bytes up to a block boundary. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK_SIZE;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK_SIZE - rest);
}

/** null when plain USTAR can hold every field (Go's allowedFormats, restricted to USTAR and PAX). */
function paxRecordsFor(h: TarHeader): Record<string, string> | null {
  const pax: Record<string, string> = {};
  let ustar = true;
  const name = h.name;
  if (!isAscii(name) || name.length > 100) {
    pax.path = name;
    if (!isAscii(name) || splitUstarPath(name) === null) ustar = false;
  }
  const link = h.linkname ?? '';
  if (!isAscii(link) || link.length > 100) {
    pax.linkpath = link;
    ustar = false;
  }
  for (const [key, value, width] of [['uid', h.uid, 8], ['gid', h.gid, 8], ['size', h.size, 12], ['mtime', h.mtime, 12]] as const) {
    if (!fitsOctal(width, value)) {
      pax[key] = String(value);
      ustar = false;
    }
  }
  if (!fitsOctal(8, h.devmajor ?? 0) || !fitsOctal(8, h.devminor ?? 0)) {
    throw new TsbuildError('E_STEP', `device numbers of ${h.name} do not fit a tar header`);
  }
  for (const [key, value] of Object.entries(h.paxRecords ?? {})) {
    ustar = false;
    pax[key] ??= value;
  }
  return ustar ? null : pax;
}

function ustarBlock(h: TarHeader): Buffer {
  const split = h.name.length > 100 ? splitUstarPath(h.name) : null;
  const block = template(h, split ? split[1] : h.name);
  if (split) writeString(block, 345, 155, split[0]);
  return finish(block);
}

function mainBlock(h: TarHeader, asciiOnly: boolean): Buffer {
  return finish(template(h, asciiOnly ? toAscii(h.name) : h.name));
}

/** Go's templateV7Plus with octal numbers: out-of-range numbers are written as zero. */
function template(h: TarHeader, name: string): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, h.mode);
  writeOctal(block, 108, 8, h.uid);
  writeOctal(block, 116, 8, h.gid);
  writeOctal(block, 124, 12, h.size);
  writeOctal(block, 136, 12, h.mtime);
  block.write(h.typeflag, 156, 1, 'latin1');
  writeString(block, 157, 100, toAscii(h.linkname ?? ''));
  writeOctal(block, 329, 8, h.devmajor ?? 0);
  writeOctal(block, 337, 8, h.devminor ?? 0);
  return block;
}

/** Go's writeRawFile: a minimal header for the PAX data, all numbers zero except the size. */
function rawBlock(name: string, typeflag: string, size: number): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  writeString(block, 0, 100, toAscii(name).slice(0, 100).replace(/\/+$/, ''));
  for (const [offset, width] of [[100, 8], [108, 8], [116, 8], [136, 12]] as const) writeOctal(block, offset, width, 0);
  writeOctal(block, 124, 12, size);
  block.write(typeflag, 156, 1, 'latin1');
  return finish(block);
}

/** USTAR magic and version, then the checksum (computed with its own field as spaces). */
function finish(block: Buffer): Buffer {
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

/** Go's formatString: copy, NUL-terminate when shorter, never leave a truncated trailing slash. */
function writeString(block: Buffer, offset: number, width: number, value: string): void {
  const bytes = Buffer.from(value);
  bytes.copy(block, offset, 0, Math.min(bytes.length, width));
  if (bytes.length < width) block[offset + bytes.length] = 0;
  if (bytes.length > width && block[offset + width - 1] === 0x2f) {
    const kept = bytes.subarray(0, width - 1).toString('latin1').replace(/\/+$/, '').length;
    block[offset + kept] = 0;
  }
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = (fitsOctal(width, value) ? value : 0).toString(8);
  writeString(block, offset, width, digits.padStart(width - 1, '0'));
}

function fitsOctal(width: number, value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value < 8 ** (width - 1);
}

/** Go's splitUSTARPath: [prefix, suffix] when a long ASCII name fits the prefix/name fields. */
function splitUstarPath(name: string): [string, string] | null {
  if (name.length <= 100 || !isAscii(name)) return null;
  let length = name.length;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const suffixLength = name.length - i - 1;
  if (i <= 0 || suffixLength > 100 || suffixLength === 0 || i > 155) return null;
  return [name.slice(0, i), name.slice(i + 1)];
}

/** Go's formatPAXRecord: "<length> <key>=<value>\n" where length counts itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let size = bodyLength + String(bodyLength).length;
  if (String(size).length + bodyLength !== size) size = String(size).length + bodyLength;
  return Buffer.from(`${size}${body}`);
}

/** Go's path.Split: everything up to and including the last slash, and the rest. */
function splitLast(name: string): [string, string] {
  const i = name.lastIndexOf('/');
  return [name.slice(0, i + 1), name.slice(i + 1)];
}

function isAscii(value: string): boolean {
  return /^[\x01-\x7f]*$/.test(value);
}

function toAscii(value: string): string {
  return value.replace(/[^\x01-\x7f]/gu, '');
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
