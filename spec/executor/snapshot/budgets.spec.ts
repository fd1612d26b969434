// SECURITY B7: bombs meet small budgets and fail fast with an error naming the limit, and an
// unpack into a kept snapshot leaves nothing behind. The bombs are generated lazily, so the specs
// also show that the reader never holds more than it has to.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { ArchiveError } from '../../../executor/snapshot/archive-error.js';
import { applyLayer } from '../../../executor/snapshot/layer-reader.js';
import { unpackLayerSnapshot } from '../../../executor/snapshot/snapshot-unpack.js';
import { mkTar, type TarFixtureEntry } from '../../support/mk-tar.js';
import { makeTree, tarStream, thrownBy } from './fs-fixture.js';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A tar of one file of `size` zero bytes, produced on demand. */
function zeroFileTar(size: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    yield mkTar([{ name: 'zeros', size, data: '' }], { trailer: false });
    const zeros = Buffer.alloc(1 << 20);
    for (let left = size; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
    yield Buffer.alloc(1024);
  }
  return Readable.from(chunks());
}

/** A tar of `count` entries produced on demand. */
function manyEntriesTar(count: number, entry: (i: number) => TarFixtureEntry): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < count; i++) yield mkTar([entry(i)], { trailer: false });
    yield Buffer.alloc(1024);
  }
  return Readable.from(chunks());
}

async function expectBudgetError(run: Promise<unknown>, limit: string, withinMs: number): Promise<ArchiveError> {
  const started = Date.now();
  const error = await thrownBy(run);
  expect(Date.now() - started, 'fails fast').to.be.below(withinMs);
  expect(error).to.be.instanceOf(ArchiveError);
  expect((error as ArchiveError).reason).to.equal('budget');
  expect(error.message).to.include(limit);
  return error as ArchiveError;
}

describe('snapshot: budgets (SECURITY B7)', () => {
  it('a gzip bomb (4 GiB of zeros) stops at the uncompressed byte budget; the temp folder is removed', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'snapshot-store-'));
    made.push(parent);
    const source = zeroFileTar(4 * 1024 ** 3);
    const gzipped = source.pipe(createGzip({ level: 1 }));
    const run = unpackLayerSnapshot(gzipped, join(parent, 'layer'), { budgets: { maxBytes: 8 << 20 } });
    const error = await expectBudgetError(run, 'maxBytes', 10_000);
    expect(error.message).to.equal('layer exceeds the maxBytes budget (8388608)');
    source.destroy();
    expect(readdirSync(parent), 'nothing kept, nothing left').to.deep.equal([]);
  });

  it('10^6 empty entries stop at the entry budget', async () => {
    const root = makeTree();
    made.push(root);
    const run = applyLayer(manyEntriesTar(1_000_000, (i) => ({ name: `f${i}`, data: '' })), root, { whiteouts: 'remove', budgets: { maxEntries: 1000 } });
    await expectBudgetError(run, 'maxEntries', 10_000);
  });

  it('a 10 000-deep path stops at the depth budget', async () => {
    const root = makeTree();
    made.push(root);
    await expectBudgetError(applyLayer(tarStream([{ name: `${'d/'.repeat(10_000)}f`, data: '' }]), root, { whiteouts: 'remove' }), 'maxDepth', 5000);
    expect(readdirSync(root)).to.deep.equal([]);
  });

  it('PAX records over the budget (2 MiB) and over the parser cap (64 MiB) are refused before use', async () => {
    const root = makeTree();
    made.push(root);
    const big = { name: 'x', data: '', pax: { comment: 'a'.repeat(2 << 20) } };
    await expectBudgetError(applyLayer(tarStream([big]), root, { whiteouts: 'remove' }), 'maxPaxBytes', 5000);
    const huge = { name: 'y', data: '', pax: { path: 'p'.repeat(64 << 20) } };
    await expectBudgetError(applyLayer(tarStream([huge]), root, { whiteouts: 'remove' }), '4 MiB', 5000);
  });

  it('an entry claiming 1 TiB without the data fails as truncated, without waiting for it', async () => {
    const root = makeTree();
    made.push(root);
    const error = await thrownBy(applyLayer(tarStream([{ name: 'huge', size: 2 ** 40, data: 'tiny' }]), root, { whiteouts: 'remove' }));
    expect((error as ArchiveError).reason).to.equal('truncated');
  });

  it('a wall-clock budget: an AbortSignal stops an unpack whose input never ends', async () => {
    const root = makeTree();
    made.push(root);
    async function* forever(): AsyncGenerator<Buffer> {
      yield mkTar([{ name: 'slow', size: 1 << 30, data: '' }], { trailer: false });
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield Buffer.alloc(512);
      }
    }
    const started = Date.now();
    const error = await thrownBy(applyLayer(Readable.from(forever()), root, { whiteouts: 'remove', signal: AbortSignal.timeout(200) }));
    expect(Date.now() - started).to.be.below(5000);
    expect((error as NodeJS.ErrnoException).name).to.equal('AbortError');
  });

  it('many hard links to one file apply in linear time', async () => {
    const root = makeTree();
    made.push(root);
    const started = Date.now();
    await applyLayer(manyEntriesTar(3001, (i) => (i === 0 ? { name: 'target', data: 'x' } : { name: `l/${i}`, type: 'link', linkname: 'target' })), root, { whiteouts: 'remove' });
    expect(Date.now() - started).to.be.below(20_000);
    expect(readdirSync(join(root, 'l'))).to.have.length(3000);
  });
});
