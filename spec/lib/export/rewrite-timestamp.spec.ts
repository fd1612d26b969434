import { expect } from 'chai';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { ClampMtimes } from '../../../lib/export/rewrite-timestamp.js';
import { mkTar, type TarFixtureEntry } from '../../support/mk-tar.js';

const EPOCH = 1_700_000_000;

async function clamp(archive: Buffer, chunkSize = 100): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const pieces = Array.from({ length: Math.ceil(archive.length / chunkSize) }, (_, i) => archive.subarray(i * chunkSize, (i + 1) * chunkSize));
  await pipeline(Readable.from(pieces), new ClampMtimes(EPOCH), async function* (source) {
    for await (const chunk of source) chunks.push(chunk as Buffer);
  });
  return Buffer.concat(chunks);
}

async function headers(archive: Buffer): Promise<{ name: string; mtime: number; data: string; linkname?: string | null; pax?: unknown }[]> {
  const extract = tarStream.extract();
  const result: { name: string; mtime: number; data: string; linkname?: string | null }[] = [];
  Readable.from([archive]).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    result.push({ name: entry.header.name, mtime: (entry.header.mtime as Date).getTime() / 1000, data: Buffer.concat(chunks).toString(), linkname: entry.header.linkname });
  }
  return result;
}

describe('lib/export rewrite-timestamp (clamping layer mtimes)', () => {
  const entries: TarFixtureEntry[] = [
    { name: 'old', data: 'before the epoch', mtime: EPOCH - 100 },
    { name: 'dir/', type: 'dir', mtime: EPOCH + 100 },
    { name: 'dir/new', data: 'x'.repeat(1000), mtime: 2_000_000_000 },
    { name: 'link', type: 'symlink', linkname: '../../../elsewhere', mtime: EPOCH + 1 },
    { name: 'paxed', data: 'pax', mtime: EPOCH + 5, pax: { mtime: '1999999999.5', 'SCHILY.xattr.user.k': 'v' } },
  ];

  it('sets every later mtime to the epoch and leaves names, targets, data and earlier times alone', async () => {
    const bytes = await clamp(mkTar(entries));
    const text = bytes.toString('latin1');
    expect(text).to.contain('20 mtime=1700000000\n').and.contain('25 SCHILY.xattr.user.k=v\n');
    expect(text).to.not.contain('1999999999');
    const clamped = await headers(bytes);
    expect(clamped.map((entry) => [entry.name, entry.mtime, entry.data])).to.deep.equal([
      ['old', EPOCH - 100, 'before the epoch'],
      ['dir/', EPOCH, ''],
      ['dir/new', EPOCH, 'x'.repeat(1000)],
      ['link', EPOCH, ''],
      ['paxed', EPOCH, 'pax'],
    ]);
    expect(clamped[3]!.linkname).to.equal('../../../elsewhere');
  });

  it('keeps an archive with nothing to clamp byte for byte, whatever the chunking', async () => {
    const early = mkTar([{ name: 'a', data: 'a', mtime: 1 }, { name: 'b/', type: 'dir', mtime: EPOCH }]);
    expect(await clamp(early, 7)).to.deep.equal(early);
    expect(await clamp(early, 4096)).to.deep.equal(early);
  });

  it('gives the same bytes for the same tree built at different times', async () => {
    const at = (mtime: number) => mkTar([{ name: 'work/', type: 'dir', mtime }, { name: 'work/f', data: 'f', mtime }]);
    expect(await clamp(at(EPOCH + 10))).to.deep.equal(await clamp(at(EPOCH + 99999)));
  });

  it('refuses a layer that ends inside a PAX header', async () => {
    const archive = mkTar([{ name: 'p', data: 'x', pax: { mtime: '1999999999' } }]);
    const error = await clamp(archive.subarray(0, 600)).then(() => undefined, (caught: Error) => caught);
    expect(error?.message).to.match(/PAX/);
  });
});
