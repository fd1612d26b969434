// A layer blob from an archive as the uncompressed tar the store keeps: gzip is recognised by its
// magic bytes and undone in-process (never by a helper binary, SECURITY B9); other compressions
// are refused by name. The caller hashes the result against the config's DiffID. The
// uncompressed bytes have an absolute budget and a decompression-ratio budget (SECURITY B7: a
// gzip bomb stops while still small), and a refusal names the layer.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ArchiveError } from '../../executor/snapshot/archive-error.js';
import { DEFAULT_EXPANSION_BUDGET, labelArchiveError, ratioGuard } from '../../executor/snapshot/expansion-budget.js';
import { detectCompression } from '../../executor/snapshot/index.js';

export interface LayerInputOptions {
  /** What errors call the layer, e.g. `layer 2 of the archive`. */
  readonly label?: string;
  /** The compressed size when known; else the ratio is judged against the bytes read so far. */
  readonly archiveBytes?: number;
  readonly maxRatio?: number;
  readonly ratioFloorBytes?: number;
}

export async function* decompressedLayer(input: Readable, maxBytes: number, options: LayerInputOptions = {}): AsyncGenerator<Buffer> {
  const counted = { compressed: 0 };
  const ratio = ratioGuard({ maxRatio: options.maxRatio ?? DEFAULT_EXPANSION_BUDGET.maxRatio, ratioFloorBytes: options.ratioFloorBytes ?? DEFAULT_EXPANSION_BUDGET.ratioFloorBytes }, options.archiveBytes);
  let total = 0;
  for await (const chunk of layerBytes(input, counted)) {
    total += chunk.length;
    if (total > maxBytes) throw labelArchiveError(new ArchiveError('budget', `the archive is larger than ${maxBytes} bytes uncompressed`), options.label ?? 'a layer');
    const refused = ratio(total, counted.compressed);
    if (refused !== null) throw labelArchiveError(refused, options.label ?? 'a layer');
    yield chunk;
  }
}

async function* layerBytes(input: Readable, counted: { compressed: number }): AsyncGenerator<Buffer> {
  const iterator: AsyncIterator<Buffer> = countBytes(input, counted);
  const head: Buffer[] = [];
  let length = 0;
  while (length < 6) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
  }
  const first = Buffer.concat(head);
  const rest = Readable.from((async function* () {
    yield first;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })());
  const compression = detectCompression(first);
  if (compression === 'none') return yield* rest;
  if (compression !== 'gzip') throw new ArchiveError('unsupported', `${compression} compressed layers are not supported (gzip and uncompressed are)`);
  const gunzip = createGunzip();
  const piping = pipeline(rest, gunzip);
  piping.catch(() => undefined); // reported through the loop below, or awaited after it
  yield* gunzip;
  await piping;
}

/** Counts the compressed bytes as they are read, for the ratio budget. */
async function* countBytes(input: Readable, counted: { compressed: number }): AsyncGenerator<Buffer> {
  for await (const chunk of input as AsyncIterable<Buffer>) {
    counted.compressed += chunk.length;
    yield chunk;
  }
}
