// A layer blob from an archive as the uncompressed tar the store keeps: gzip is recognised by its
// magic bytes and undone in-process (never by a helper binary, SECURITY B9); other compressions
// are refused by name. The caller hashes the result against the config's DiffID. The
// uncompressed bytes have an absolute budget (SECURITY B7: a gzip bomb stops while still small).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ArchiveError } from '../../executor/snapshot/archive-error.js';
import { detectCompression } from '../../executor/snapshot/index.js';

export async function* decompressedLayer(input: Readable, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of layerBytes(input)) {
    total += chunk.length;
    if (total > maxBytes) throw new ArchiveError('budget', `a layer is larger than ${maxBytes} bytes uncompressed`);
    yield chunk;
  }
}

async function* layerBytes(input: Readable): AsyncGenerator<Buffer> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
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
