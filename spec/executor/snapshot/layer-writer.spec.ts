// The layer writer on its own: SECURITY A8 (a user file named `.wh.*` is refused before a single
// byte is written), SOURCE_DATE_EPOCH clamping, parents written before children in walk order,
// the content comparison for same-size same-second rewrites, and gzip without a timestamp.
import { expect } from 'chai';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { TsbuildError } from '../../../lib/errors.js';
import { applyLayer } from '../../../executor/snapshot/layer-reader.js';
import { gzipStage, layerTarStream, writeLayerTar } from '../../../executor/snapshot/layer-writer.js';
import { diffTrees } from '../../../executor/snapshot/tree-diff.js';
import { createDir, createFile, makeTree, tarStream as fixtureTar, thrownBy } from './fs-fixture.js';
import { listTar } from './tree-listing.js';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tree(...steps: Parameters<typeof makeTree>): string {
  const root = makeTree(...steps);
  made.push(root);
  return root;
}

function collector(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return { sink: new Writable({ write: (chunk: Buffer, _e, done) => { chunks.push(chunk); done(); } }), bytes: () => Buffer.concat(chunks) };
}

async function headersOf(bytes: Buffer): Promise<{ name: string; mtime: number; mode: number }[]> {
  const headers: { name: string; mtime: number; mode: number }[] = [];
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    headers.push({ name: header.name, mtime: header.mtime.getTime() / 1000, mode: header.mode });
    stream.on('end', () => next());
    stream.resume();
  });
  await pipeline(Readable.from([bytes]), extract as unknown as NodeJS.WritableStream);
  return headers;
}

describe('snapshot: layer writer', () => {
  it('A8: a user file named .wh.* (ADD of a local archive) is refused, naming the path, before any byte', async () => {
    const base = tree(createDir('opt'), createFile('opt/foo.repo', 'repo'));
    const current = tree(createDir('opt'), createFile('opt/foo.repo', 'repo'));
    await applyLayer(fixtureTar([{ name: 'opt/.wh.foo.repo', data: '' }]), current, { whiteouts: 'literal' });
    const { sink, bytes } = collector();
    const error = await thrownBy(writeLayerTar(await diffTrees(base, current), sink));
    expect(error).to.be.instanceOf(TsbuildError);
    expect(error.message).to.include('refusing to write /opt/.wh.foo.repo into a layer');
    expect(bytes().length).to.equal(0);
  });

  it('A8: so is a folder named .wh.* (its children would be written under a whiteout name)', async () => {
    const current = tree(createFile('.wh.etc/somefile', 'x'));
    const error = await thrownBy(writeLayerTar(await diffTrees(tree(), current), collector().sink));
    expect(error.message).to.include('/.wh.etc');
  });

  it('clamps mtimes to SOURCE_DATE_EPOCH, keeps older ones, and writes whiteouts with mtime 0', async () => {
    const base = tree(createFile('gone', 'x'));
    const current = tree(createFile('old', 'o'), createFile('new', 'n'));
    utimesSync(join(current, 'old'), 1_000_000_000, 1_000_000_000);
    utimesSync(join(current, 'new'), 2_000_000_000, 2_000_000_000);
    const { sink, bytes } = collector();
    await writeLayerTar(await diffTrees(base, current), sink, { sourceDateEpoch: 1_500_000_000 });
    expect(await headersOf(bytes())).to.deep.equal([
      { name: '.wh.gone', mtime: 0, mode: 0 },
      { name: 'new', mtime: 1_500_000_000, mode: 0o644 },
      { name: 'old', mtime: 1_000_000_000, mode: 0o644 },
    ]);
  });

  it('writes in walk order (a/x before a.txt), folders before what they hold', async () => {
    const current = tree(createFile('a.txt', '1'), createFile('a/x', '2'), createFile('B', '3'), createFile('a-b/c', '4'));
    const { sink, bytes } = collector();
    await writeLayerTar(await diffTrees(tree(), current), sink);
    expect((await listTar(bytes())).map((e) => e.name)).to.deep.equal(['B', 'a/', 'a/x', 'a-b/', 'a-b/c', 'a.txt']);
  });

  it('a same-size, same-second rewrite is found by comparing contents; an identical one is not a change', async () => {
    const base = tree(createFile('changed', 'aaaa'), createFile('same', 'bbbb'));
    const current = tree(createFile('changed', 'aaaa'), createFile('same', 'bbbb'));
    for (const root of [base, current]) for (const name of ['changed', 'same']) utimesSync(join(root, name), 1_600_000_000, 1_600_000_000);
    writeFileSync(join(current, 'changed'), 'zzzz');
    writeFileSync(join(current, 'same'), 'bbbb');
    for (const name of ['changed', 'same']) utimesSync(join(current, name), 1_600_000_000, 1_600_000_000);
    const changes = await diffTrees(base, current);
    expect(changes.changes.map((c) => `${c.kind} ${c.path}`)).to.deep.equal(['modify changed']);
  });

  it('gzip for export carries no timestamp and is deterministic; the DiffID is of the tar', async () => {
    const current = tree(createFile('f', 'x'.repeat(10_000)));
    mkdirSync(join(current, 'd'));
    const layer = await diffTrees(tree(), current);
    const runs: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const { sink, bytes } = collector();
      await pipeline(layerTarStream(layer), gzipStage({ level: 9 }), sink);
      runs.push(bytes());
    }
    expect(runs[0]!.equals(runs[1]!)).to.equal(true);
    expect(runs[0]!.readUInt32LE(4), 'gzip MTIME field').to.equal(0);
    const { sink, bytes } = collector();
    await writeLayerTar(layer, sink);
    expect(gunzipSync(runs[0]!).equals(bytes())).to.equal(true);
  });
});
