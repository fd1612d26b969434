// Archive bombs for the SECURITY B7 specs, made cheaply: a gzip stream may hold many members, so
// a bomb of N MiB of zeros is one small member repeated N times (about 1 KiB per MiB), and a tar
// of a million empty entries is generated header by header as a stream, never held in memory.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

const BLOCK = 512;
const ZERO_MIB_MEMBER = gzipSync(Buffer.alloc(1 << 20), { level: 9 });

/** One ustar header block for a regular file (or a folder when `name` ends in `/`). */
export function ustarHeader(name: string, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('14550415200\0', 136);
  block.write(name.endsWith('/') ? '5' : '0', 156);
  block.write('ustar\0' + '00', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** A gzip tar holding one file `name` of `mib` MiB of zeros: about 1 KiB compressed per MiB. */
export function zeroBombTarGz(name: string, mib: number): Buffer {
  const parts = [gzipSync(ustarHeader(name, mib << 20))];
  for (let i = 0; i < mib; i++) parts.push(ZERO_MIB_MEMBER);
  parts.push(gzipSync(Buffer.alloc(2 * BLOCK)));
  return Buffer.concat(parts);
}

/** A plain tar stream of `count` empty files `e/<n>`, produced on demand. */
export function manyEntriesTar(count: number): Readable {
  function* blocks(): Generator<Buffer> {
    const batch: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      batch.push(ustarHeader(`e/${i}`, 0));
      if (batch.length === 2048) yield Buffer.concat(batch.splice(0));
    }
    batch.push(Buffer.alloc(2 * BLOCK));
    yield Buffer.concat(batch);
  }
  return Readable.from(blocks(), { objectMode: false });
}
