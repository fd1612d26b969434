// The decompression-ratio budget and the streaming entry counter (SECURITY B7), as components.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { ArchiveError } from '../../../executor/snapshot/archive-error.js';
import { DEFAULT_EXPANSION_BUDGET, labelArchiveError, ratioGuard, ratioLimit } from '../../../executor/snapshot/expansion-budget.js';
import { applyLayer } from '../../../executor/snapshot/index.js';
import { withEntryBudget } from '../../../executor/snapshot/tar-entry-count.js';
import { mkTar } from '../../support/mk-tar.js';

async function drain(input: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of input) void _;
}

function chunked(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  return (async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  })();
}

describe('snapshot: expansion budget (SECURITY B7)', () => {
  it('the ratio is only checked past the floor, and the absolute cap is separate', () => {
    const budget = { maxRatio: 200, ratioFloorBytes: 1000 };
    expect(ratioLimit(budget, 1)).to.equal(1000);
    expect(ratioLimit(budget, 10)).to.equal(2000);
    const guard = ratioGuard(budget);
    expect(guard(1000, 1)).to.equal(null);
    expect(guard(2000, 10)).to.equal(null);
    const error = guard(2001, 10) as ArchiveError;
    expect(error.reason).to.equal('budget');
    expect(error.message).to.match(/more than 200 times its 10 bytes of compressed input/);
  });

  it('a known archive size is what the ratio is judged against, not the bytes read so far', () => {
    const guard = ratioGuard({ maxRatio: 10, ratioFloorBytes: 0 }, 100);
    expect(guard(1000, 1)).to.equal(null);
    expect(guard(1001, 100)).not.to.equal(null);
  });

  it('defaults: 256 MiB floor, ratio 200, 64 GiB cap', () => {
    expect(DEFAULT_EXPANSION_BUDGET).to.deep.equal({ maxBytes: 64 * 1024 ** 3, maxRatio: 200, ratioFloorBytes: 256 * 1024 ** 2 });
  });

  it('applyLayer stops a gzip of zeros at the ratio and names the archive; an ordinary layer passes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tsbuild-ratio-'));
    try {
      const zeros = gzipSync(mkTar([{ name: 'z', data: Buffer.alloc(8 << 20) }]));
      const options = { whiteouts: 'remove' as const, budgets: { ratioFloorBytes: 1 << 20 }, label: 'ADD source "z.tgz"' };
      const error = (await applyLayer(Readable.from([zeros]), root, options).catch((e: unknown) => e)) as ArchiveError;
      expect(error.reason).to.equal('budget');
      expect(error.message).to.match(/^ADD source "z\.tgz": expands to .* a decompression bomb\?$/);
      const text = gzipSync(mkTar([{ name: 't', data: Buffer.from('some text that compresses a little '.repeat(60000)) }]));
      const ok = await applyLayer(Readable.from([text]), root, { ...options, budgets: { ratioFloorBytes: 1 << 20, maxRatio: 1000 } });
      expect(ok.entries).to.equal(1);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('labelArchiveError prefixes archive errors only, once', () => {
    const plain = new Error('x');
    expect(labelArchiveError(plain, 'L')).to.equal(plain);
    const guard = ratioGuard({ maxRatio: 1, ratioFloorBytes: 0 });
    const labelled = labelArchiveError(guard(10, 1), 'layer sha256:ab') as ArchiveError;
    expect(labelled.message).to.match(/^layer sha256:ab: expands to 10 bytes/);
    expect(labelArchiveError(labelled, 'layer sha256:ab')).to.equal(labelled);
  });

  it('the entry counter skips data, counts headers across chunk borders, and stops at the budget', async () => {
    const tar = mkTar([
      { name: 'a', data: Buffer.alloc(1500, 1) },
      { name: 'dir/', type: 'dir' },
      { name: 'l', type: 'symlink', linkname: 'a' },
      { name: 'p', data: 'x', pax: { path: 'long/'.repeat(40) } },
    ]);
    // 5 headers: a, dir, l, the PAX header and p.
    for (const size of [1, 7, 512, 100000]) await drain(withEntryBudget(chunked(tar, size), 5, 'test'));
    const error = (await drain(withEntryBudget(chunked(tar, 33), 4, 'the import source (stdin)')).catch((e: unknown) => e)) as ArchiveError;
    expect(error.reason).to.equal('budget');
    expect(error.message).to.equal('the import source (stdin) has more than 4 entries (the maxEntries budget)');
  });
});
