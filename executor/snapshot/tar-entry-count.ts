// Counts tar headers in a plain tar byte stream while it passes, without parsing anything else:
// each header's size field says how many data blocks to skip. This lets a store that keeps a tar
// as it is (import) refuse an entry bomb while streaming, before anything is stored, at a cost of
// one buffer read per header instead of a full parse. PAX and long-name headers count as entries
// too, so the count is an upper bound of the real entries.
import { ArchiveError } from './archive-error.js';

const BLOCK = 512;

/** Passes `input` through, failing once more than `maxEntries` headers went by. */
export async function* withEntryBudget(input: AsyncIterable<Buffer>, maxEntries: number, label: string): AsyncGenerator<Buffer> {
  const walker = new HeaderWalker();
  for await (const chunk of input) {
    if (walker.feed(chunk) > maxEntries) {
      throw new ArchiveError('budget', `${label} has more than ${maxEntries} entries (the maxEntries budget)`);
    }
    yield chunk;
  }
}

class HeaderWalker {
  private count = 0;
  /** Bytes of entry data (padded) still to skip before the next header. */
  private skip = 0;
  private header: Buffer[] = [];
  private headerBytes = 0;
  private ended = false;

  /** Consumes a chunk and returns the number of headers seen so far. */
  feed(chunk: Buffer): number {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.skip > 0) {
        const step = Math.min(this.skip, chunk.length - offset);
        this.skip -= step;
        offset += step;
        continue;
      }
      const take = Math.min(BLOCK - this.headerBytes, chunk.length - offset);
      this.header.push(chunk.subarray(offset, offset + take));
      this.headerBytes += take;
      offset += take;
      if (this.headerBytes === BLOCK) this.readHeader(Buffer.concat(this.header));
    }
    return this.count;
  }

  private readHeader(block: Buffer): void {
    this.header = [];
    this.headerBytes = 0;
    if (block.every((byte) => byte === 0)) {
      this.ended = true; // the end-of-archive blocks; what follows is padding
      return;
    }
    this.count++;
    const size = entrySize(block);
    this.skip = Math.ceil(size / BLOCK) * BLOCK;
  }
}

/** The size field: octal text, or base-256 when the high bit of its first byte is set. */
function entrySize(block: Buffer): number {
  const typeflag = String.fromCharCode(block[156]!);
  if (typeflag === '1' || typeflag === '2' || typeflag === '3' || typeflag === '4' || typeflag === '5' || typeflag === '6') return 0;
  const field = block.subarray(124, 136);
  if ((field[0]! & 0x80) !== 0) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const size = parseInt(field.toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
  return Number.isFinite(size) && size > 0 ? size : 0;
}
