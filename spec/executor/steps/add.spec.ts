import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { addHandler } from '../../../executor/steps/add.js';
import type { AddInstruction } from '../../../parser/instructions/add.js';
import { type CopyWorld, historyOf, makeWorld, modeOf, parseLine, runLine, writeFiles } from '../copy/copy-harness.js';
import { contextFor, scratchState } from './dispatch-line.js';

function makeArchives(world: CopyWorld): void {
  const tree = join(world.dir, 'tree');
  writeFiles(tree, { inner: 'in\n' });
  execFileSync('tar', ['cf', join(world.context, 'plain.tar'), '-C', tree, 'inner']);
  execFileSync('tar', ['czf', join(world.context, 'a.tgz'), '-C', tree, 'inner']);
  execFileSync('tar', ['cjf', join(world.context, 'b.bz'), '-C', tree, 'inner']);
  execFileSync('tar', ['cJf', join(world.context, 'c.xz'), '-C', tree, 'inner']);
  fs.copyFileSync(join(world.context, 'plain.tar'), join(world.context, 'notar.tar.gz'));
  fs.writeFileSync(join(world.context, 'fake.tar'), 'text\n');
}

describe('ADD step', () => {
  let world: CopyWorld;
  beforeEach(() => {
    world = makeWorld();
  });
  afterEach(() => world.cleanup());

  it('writes history like COPY with the ADD keyword (BuildKit 0.13)', () => {
    expect(historyOf('ADD --link --chmod=755 a.txt d* /multi/')).to.equal('ADD --chmod=755 a.txt d* /multi/ # buildkit');
  });

  it('describes URLs as url inputs with their checksum', () => {
    const ins = parseLine('ADD --checksum=sha256:' + '0'.repeat(64) + ' https://example.com/f.tgz local /d/') as AddInstruction;
    expect(addHandler.describe(scratchState(), ins, contextFor()).inputs).to.deep.equal([
      { source: 'context', paths: ['local'] },
      { source: 'url', url: 'https://example.com/f.tgz', checksum: 'sha256:' + '0'.repeat(64) },
    ]);
  });

  it('unpacks local tar, gzip, bzip2 and xz archives by content, not by name', async () => {
    makeArchives(world);
    for (const [name, dest] of [['plain.tar', '/p/'], ['a.tgz', '/g'], ['b.bz', '/b/'], ['c.xz', '/x/'], ['notar.tar.gz', '/n/']]) {
      await runLine(world, `ADD ${name} ${dest}`);
      expect(fs.readFileSync(join(world.rootfs, dest, 'inner'), 'utf8'), name).to.equal('in\n');
    }
    await runLine(world, 'ADD fake.tar /f/');
    expect(fs.readFileSync(join(world.rootfs, 'f/fake.tar'), 'utf8')).to.equal('text\n');
  });

  it('does not unpack with --unpack=false', async () => {
    makeArchives(world);
    await runLine(world, 'ADD --unpack=false a.tgz /k/');
    expect(fs.readdirSync(join(world.rootfs, 'k'))).to.deep.equal(['a.tgz']);
  });

  it('copies plain files as COPY does, with --chmod', async () => {
    writeFiles(world.context, { 'a.txt': 'a' });
    await runLine(world, 'ADD --chmod=755 a.txt /m/');
    expect(modeOf(join(world.rootfs, 'm/a.txt'))).to.equal(0o755);
  });

  describe('downloads', () => {
    let server: http.Server;
    let base: string;
    before(async () => {
      server = http.createServer((req, res) => {
        if (req.url === '/missing') return void res.writeHead(404).end();
        res.writeHead(200, { 'Last-Modified': 'Wed, 01 Jan 2020 10:00:00 GMT' }).end('payload');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it('names the file after the URL path, mode 0600, mtime from Last-Modified', async () => {
      await runLine(world, `ADD ${base}/dir/file.bin /dl/`);
      const path = join(world.rootfs, 'dl/file.bin');
      expect(fs.readFileSync(path, 'utf8')).to.equal('payload');
      expect(modeOf(path)).to.equal(0o600);
      expect(fs.statSync(path).mtime.toISOString()).to.equal('2020-01-01T10:00:00.000Z');
    });

    it('verifies --checksum and refuses a mismatch', async () => {
      const good = 'sha256:' + createHash('sha256').update('payload').digest('hex');
      await runLine(world, `ADD --checksum=${good} ${base}/f /ok`);
      expect(fs.readFileSync(join(world.rootfs, 'ok'), 'utf8')).to.equal('payload');
      await runLine(world, `ADD --checksum=sha256:${'1'.repeat(64)} ${base}/f /bad`).then(() => expect.fail('no error'), (error: Error) => expect(error.message).to.match(/digest mismatch/));
      expect(fs.existsSync(join(world.rootfs, 'bad'))).to.equal(false);
    });

    it('fails on an HTTP error status', async () => {
      await runLine(world, `ADD ${base}/missing /m`).then(() => expect.fail('no error'), (error: Error) => expect(error.message).to.match(/invalid response status 404/));
    });
  });

  it('refuses Git sources with a clear error for now', async () => {
    await runLine(world, 'ADD https://github.com/a/b.git#main /src').then(() => expect.fail('no error'), (error: Error) => expect(error.message).to.match(/Git sources are not supported yet/));
  });
});
