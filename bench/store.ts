// Store throughput, printed (not a test). Build and run:
//   npx tsc -p tsconfig.json && npx tsc --module nodenext --moduleResolution nodenext --target es2022 \
//     --strict --types node --skipLibCheck --outDir dist --rootDir . bench/store.ts && node dist/bench/store.js [folder]
// The root is created under [folder] (default: the system temp folder) and removed afterwards;
// put it on the disk you care about, since fsync cost is most of what this measures.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentStore } from '../cache/content-store.js';
import { KeyIndex } from '../cache/key-index.js';
import { Lease } from '../cache/lease.js';
import { openRoot, rootLayout, type RootLayout } from '../cache/root.js';

const MiB = 1 << 20;

function report(name: string, bytes: number, count: number, ms: number): void {
  const mbps = bytes / MiB / (ms / 1000);
  console.log(`${name.padEnd(38)} ${ms.toFixed(0).padStart(7)} ms  ${mbps.toFixed(1).padStart(8)} MB/s  ${(count / (ms / 1000)).toFixed(0).padStart(7)} ops/s`);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

async function smallBlobs(content: ContentStore, lease: Lease): Promise<string[]> {
  const blobs = Array.from({ length: 1000 }, () => randomBytes(4096));
  const [digests, ms] = await timed(async () => {
    const out: string[] = [];
    for (const blob of blobs) out.push((await content.ingest(blob, { lease })).digest);
    return out;
  });
  report('ingest 1,000 x 4 KiB (sequential)', 1000 * 4096, 1000, ms);
  const [, parallelMs] = await timed(() => Promise.all(blobs.map((blob) => content.ingest(blob, { lease }))));
  report('ingest 1,000 x 4 KiB again (parallel)', 1000 * 4096, 1000, parallelMs);
  const [, readMs] = await timed(async () => {
    for (const digest of digests) await content.readVerified(digest);
  });
  report('readVerified 1,000 x 4 KiB', 1000 * 4096, 1000, readMs);
  return digests;
}

async function* chunks(total: number, size: number): AsyncGenerator<Buffer> {
  const chunk = randomBytes(size);
  for (let sent = 0; sent < total; sent += size) {
    chunk.writeUInt32BE(sent / size, 0);
    yield chunk;
  }
}

async function bigBlob(content: ContentStore, lease: Lease): Promise<void> {
  const size = 256 * MiB;
  const [{ digest }, ms] = await timed(() => content.ingest(chunks(size, MiB), { lease, expectedSize: size }));
  report('ingest 1 x 256 MiB (stream)', size, 1, ms);
  const [, readMs] = await timed(async () => {
    for await (const chunk of await content.createVerifiedReadStream(digest)) void chunk;
  });
  report('verified stream read 1 x 256 MiB', size, 1, readMs);
}

async function recordLookups(layout: RootLayout, digests: string[]): Promise<void> {
  const index = new KeyIndex(layout);
  const keys = digests.map((digest) => digest.slice('sha256:'.length));
  const [, putMs] = await timed(async () => {
    for (const [n, key] of keys.entries()) {
      await index.put({ key, layer: { digest: digests[n]!, diffId: digests[n]!, size: 4096 }, configChange: { n }, input: { v: 1, n } });
    }
  });
  report('put 1,000 records', 0, 1000, putMs);
  const lookups = 10_000;
  const [, getMs] = await timed(async () => {
    for (let n = 0; n < lookups; n++) await index.get(keys[(n * 7919) % keys.length]!);
  });
  console.log(`${'get (hit), 10,000 lookups'.padEnd(38)} ${((getMs * 1000) / lookups).toFixed(1).padStart(7)} µs per lookup`);
  const missing = randomBytes(32).toString('hex');
  const [, missMs] = await timed(async () => {
    for (let n = 0; n < lookups; n++) await index.get(missing);
  });
  console.log(`${'get (miss), 10,000 lookups'.padEnd(38)} ${((missMs * 1000) / lookups).toFixed(1).padStart(7)} µs per lookup`);
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(process.argv[2] ?? tmpdir(), 'tsbuild-bench-'));
  try {
    const layout = rootLayout(join(base, 'root'));
    await openRoot(layout);
    const content = await ContentStore.open(layout);
    const lease = await Lease.create(layout);
    console.log(`tsbuild store benchmark, root ${layout.root}, node ${process.version}`);
    const digests = await smallBlobs(content, lease);
    await bigBlob(content, lease);
    await recordLookups(layout, digests);
    await lease.release();
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
