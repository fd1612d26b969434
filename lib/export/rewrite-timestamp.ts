// BuildKit's `rewrite-timestamp=true` exporter option: every layer entry whose mtime is later than
// SOURCE_DATE_EPOCH gets SOURCE_DATE_EPOCH instead. It works on the tar blocks as they stream:
// only the mtime field (and a PAX `mtime` record) of an entry that needs it is rewritten, with its
// header checksum; every other byte passes unchanged, so names, owners, modes, xattrs, links and
// data are exactly what the store holds. The layer's DiffID changes, so the exporter rewrites the
// config's diff_ids too.
import { Transform, type TransformCallback } from 'node:stream';
import { ArchiveError } from '../../executor/snapshot/archive-error.js';

const BLOCK = 512;
const MTIME = { offset: 136, length: 12 };
const SIZE = { offset: 124, length: 12 };
const CHECKSUM = { offset: 148, length: 8 };
const TYPEFLAG = 156;
/** Biggest PAX header data we rewrite in memory (Go caps PAX records at 1 MiB too). */
const MAX_PAX = 1024 * 1024;

export class ClampMtimes extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of entry data (padded) still to pass through unchanged. */
  private passBytes = 0;
  /** A PAX header waiting for its data, which may need rewriting. */
  private pax: { header: Buffer; size: number; changed: boolean } | undefined;

  constructor(private readonly epoch: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.drain();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.pax !== undefined) return callback(new ArchiveError('truncated', 'the layer ends inside a PAX header'));
    if (this.pending.length > 0) this.push(this.pending);
    callback();
  }

  private drain(): void {
    for (;;) {
      if (this.passBytes > 0) {
        const take = Math.min(this.passBytes, this.pending.length);
        if (take === 0) return;
        this.push(this.pending.subarray(0, take));
        this.pending = this.pending.subarray(take);
        this.passBytes -= take;
        continue;
      }
      if (this.pax !== undefined) {
        const padded = roundUp(this.pax.size);
        if (this.pending.length < padded) return;
        this.push(rewritePax(this.pax, this.pending.subarray(0, this.pax.size), this.epoch));
        this.pending = this.pending.subarray(padded);
        this.pax = undefined;
        continue;
      }
      if (this.pending.length < BLOCK) return;
      const header = Buffer.from(this.pending.subarray(0, BLOCK));
      this.pending = this.pending.subarray(BLOCK);
      this.header(header);
    }
  }

  private header(block: Buffer): void {
    if (block.every((byte) => byte === 0)) return void this.push(block);
    const size = readNumber(block, SIZE);
    const type = String.fromCharCode(block[TYPEFLAG]!);
    const changed = readNumber(block, MTIME) > this.epoch;
    if (changed) writeField(block, MTIME, this.epoch);
    if ((type === 'x' || type === 'g') && size <= MAX_PAX) {
      this.pax = { header: block, size, changed };
      return;
    }
    if (changed) writeChecksum(block);
    this.push(block);
    this.passBytes = roundUp(size);
  }
}

/** The PAX header and its data, with an `mtime` record later than `epoch` replaced. */
function rewritePax(pax: { header: Buffer; changed: boolean }, data: Buffer, epoch: number): Buffer {
  const { header } = pax;
  const records = parsePax(data);
  const mtime = records.find((record) => record.key === 'mtime');
  let body = data;
  let changed = pax.changed;
  if (mtime !== undefined && Number(mtime.value) > epoch) {
    mtime.value = String(epoch);
    body = Buffer.concat(records.map((record) => paxRecord(record.key, record.value)));
    writeField(header, SIZE, body.length);
    changed = true;
  }
  if (changed) writeChecksum(header);
  return Buffer.concat([header, body, Buffer.alloc(roundUp(body.length) - body.length)]);
}

function parsePax(data: Buffer): { key: string; value: string }[] {
  const records: { key: string; value: string }[] = [];
  let at = 0;
  while (at < data.length && data[at] !== 0) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('latin1'));
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0 || at + length > data.length) throw new ArchiveError('invalid-header', 'a PAX record has an invalid length');
    const text = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = text.indexOf('=');
    records.push({ key: text.slice(0, equals), value: text.slice(equals + 1) });
    at += length;
  }
  return records;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let length = bytes + String(bytes).length;
  if (String(length).length !== String(bytes).length) length = bytes + String(length).length;
  return Buffer.from(`${length}${body}`, 'utf8');
}

/** An octal (or base-256, for big values) number field. */
function readNumber(block: Buffer, field: { offset: number; length: number }): number {
  const bytes = block.subarray(field.offset, field.offset + field.length);
  if (bytes[0]! & 0x80) {
    let value = bytes[0]! & 0x7f;
    for (const byte of bytes.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = bytes.toString('latin1').replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  return text === '' ? 0 : parseInt(text, 8);
}

function writeField(block: Buffer, field: { offset: number; length: number }, value: number): void {
  const text = value.toString(8).padStart(field.length - 1, '0');
  if (text.length > field.length - 1) throw new ArchiveError('invalid-header', `value ${value} does not fit a tar header field`);
  block.write(`${text}\0`, field.offset, field.length, 'latin1');
}

/** Go's form: six octal digits, NUL, space, summed with the field itself as spaces. */
function writeChecksum(block: Buffer): void {
  block.fill(0x20, CHECKSUM.offset, CHECKSUM.offset + CHECKSUM.length);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, CHECKSUM.offset, CHECKSUM.length, 'latin1');
}

function roundUp(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}
