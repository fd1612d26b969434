// ADD of a URL spools the download to a file under the step's state folder (never the whole body
// in memory), checks the checksum over the streamed bytes, and leaves nothing behind on failure.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { download } from '../../../executor/copy/add-url.js';
import { fromInput } from '../../../executor/copy/copy-step.js';

describe('ADD URL downloads spooled to the state folder', () => {
  let server: Server;
  let base: string;
  let spool: string;
  const body = Buffer.alloc(3 * 1024 * 1024, 7);
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/missing') return void res.writeHead(404).end();
      res.writeHead(200, { 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }).end(body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(async () => {
    spool = join(await mkdtemp(join(tmpdir(), 'add-spool-')), 'downloads');
  });
  after(() => new Promise<void>((done) => server.close(() => done())));

  it('writes the body to a file under the spool folder, with the name and mtime, and removes it', async () => {
    const file = await download(`${base}/dir/big.bin`, digest, new AbortController().signal, spool);
    expect(file.file.startsWith(spool)).to.equal(true);
    expect((await readFile(file.file)).equals(body)).to.equal(true);
    expect(file.name).to.equal('big.bin');
    expect(file.mtime?.toISOString()).to.equal('2015-10-21T07:28:00.000Z');
    await file.remove();
    expect(await readdir(spool)).to.deep.equal([]);
    await rm(join(spool, '..'), { recursive: true });
  });

  it('refuses a checksum mismatch and leaves no spool file', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    const error = await download(`${base}/f`, wrong, new AbortController().signal, spool).catch((e: Error) => e);
    expect((error as Error).message).to.equal(`digest mismatch ${digest}: ${wrong}`);
    expect(await readdir(spool)).to.deep.equal([]);
  });

  it('fails on an HTTP error before creating anything', async () => {
    const error = await download(`${base}/missing`, undefined, new AbortController().signal, spool).catch((e: Error) => e);
    expect((error as Error).message).to.match(/invalid response status 404/);
    expect(await readdir(spool).catch(() => 'absent')).to.equal('absent');
  });
});

describe('COPY --from naming', () => {
  const names = { stageIndexOf: (name: string) => (name.toLowerCase() === 'build' ? 0 : undefined) };
  it('resolves a stage name through the scheduler (case-insensitively), an index directly, else an image', () => {
    expect(fromInput('Build', names)).to.deep.equal({ source: 'stage', stageIndex: 0 });
    expect(fromInput('1', names)).to.deep.equal({ source: 'stage', stageIndex: 1 });
    expect(fromInput('busybox:latest', names)).to.deep.equal({ source: 'image', ref: 'busybox:latest' });
    expect(fromInput('build')).to.deep.equal({ source: 'image', ref: 'build' });
  });
});
