// keepOpen: an archive streamed to stdout whose reader went away (`tsbuild save | head`) fails
// with a plain error instead of an 'error' event nobody listens to (which crashed the process).
import { expect } from 'chai';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TsbuildError } from '../../../lib/errors.js';
import { keepOpen } from '../../../lib/export/archive-target.js';

describe('lib/export archive target (stdout)', () => {
  it('writes through and leaves the stream open', async () => {
    const out = new PassThrough();
    const seen: Buffer[] = [];
    out.on('data', (chunk: Buffer) => seen.push(chunk));
    await pipeline(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), keepOpen(out));
    expect(Buffer.concat(seen).toString()).to.equal('abcd');
    expect(out.writable).to.equal(true);
  });

  it('a broken pipe fails the archive with E_ABORTED', async () => {
    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const error = await pipeline(Readable.from([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]), keepOpen(broken)).then(() => undefined, (caught: unknown) => caught);
    expect(error).to.be.instanceOf(TsbuildError);
    expect((error as TsbuildError).code).to.equal('E_ABORTED');
    expect((error as TsbuildError).message).to.include('broken pipe');
  });
});
