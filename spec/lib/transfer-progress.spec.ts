// Transfer progress: per-blob byte reports (throttled, first and last always sent), their bars in
// the live view, lines in plain output and json events; pulls from a real registry and -o exports
// report every byte they move.
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonTransferWriter, plainTransferPrinter, transferBar, TransferRows } from '../../lib/cli/progress-transfer.js';
import { pullImage } from '../../lib/registry/pull.js';
import { pushImage } from '../../lib/registry/push.js';
import { blobReporter, countedBytes, countingSink, type TransferEvent } from '../../lib/transfer-progress.js';
import { BUSYBOX_TAG } from '../support/busybox-image.js';
import { registryAvailable } from '../support/registry-server.js';
import { runCli } from '../support/run-cli.js';
import { freshStore, startBusyboxRegistry, type BusyboxRegistry } from './registry/registry-fixture.js';
import { makeBuildFixture, type BuildFixture } from './build-fixtures.js';

const base = { action: 'pull' as const, ref: 'docker.io/library/nginx', blob: `sha256:${'ab'.repeat(32)}`, total: 1000 };

describe('lib/transfer-progress', () => {
  it('reports at most every 100 ms per blob, always the first report and the done one', () => {
    const events: TransferEvent[] = [];
    let clock = 0;
    const report = blobReporter((event) => events.push(event), base, () => clock);
    report(0);
    report(10); // within 100 ms: dropped
    clock = 150;
    report(500);
    report(900); // dropped
    report(1000, true);
    expect(events.map((event) => [event.current, event.done])).to.deep.equal([[0, false], [500, false], [1000, true]]);
    expect(events[0]).to.deep.include({ type: 'transfer', action: 'pull', total: 1000 });
  });

  it('countedBytes and countingSink pass bytes through unchanged and count them', async () => {
    const seen: number[] = [];
    const chunks: Buffer[] = [];
    const source = async function* () {
      yield Buffer.from('abc');
      yield Buffer.from('de');
    };
    for await (const chunk of countedBytes(source(), (current, done) => done && seen.push(current))) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).to.equal('abcde');
    expect(seen).to.deep.equal([5]);
    const target = new PassThrough();
    const received: Buffer[] = [];
    target.on('data', (chunk: Buffer) => received.push(chunk));
    let finalCount = -1;
    await pipeline(async function* () {
      yield Buffer.alloc(700);
      yield Buffer.alloc(300);
    }, countingSink(target, (current, done) => done && (finalCount = current)));
    expect(Buffer.concat(received).length).to.equal(1000);
    expect(finalCount).to.equal(1000);
  });

  it('draws a bar with sizes; unknown totals show only the bytes', () => {
    expect(transferBar({ type: 'transfer', ...base, current: 500, done: false }, 10)).to.equal('[====>     ] 500B / 1kB');
    expect(transferBar({ type: 'transfer', ...base, current: 1000, done: false }, 10)).to.equal('[==========] 1kB / 1kB');
    const { total: _total, ...noTotal } = base;
    expect(transferBar({ type: 'transfer', ...noTotal, current: 2048, done: false })).to.equal('2.05kB');
  });

  it('live rows keep the latest report per blob; plain prints finished blobs; json writes each report', () => {
    const rows = new TransferRows();
    rows.record({ type: 'transfer', ...base, current: 100, done: false });
    rows.record({ type: 'transfer', ...base, current: 600, done: false });
    rows.record({ type: 'transfer', ...base, blob: 'sha256:other', current: 5, done: true });
    const lines = rows.lines((line) => line);
    expect(lines).to.have.length(2);
    expect(lines[0]).to.equal(' ⠿ pull docker.io/library/nginx sha256:abababababab [===========>        ] 600B / 1kB');
    expect(lines[1]).to.match(/✔ pull docker\.io\/library\/nginx sha256:other 5B$/);

    const out: string[] = [];
    const sink = new PassThrough().on('data', (chunk: Buffer) => out.push(chunk.toString()));
    const plain = plainTransferPrinter(sink);
    plain({ type: 'transfer', ...base, current: 10, done: false });
    plain({ type: 'transfer', ...base, current: 1000, done: true });
    const json = jsonTransferWriter(sink, () => new Date(0));
    json({ type: 'transfer', ...base, current: 10, done: false });
    expect(out).to.deep.equal([
      'pull docker.io/library/nginx sha256:abababababab 1kB done\n',
      `{"v":1,"time":"1970-01-01T00:00:00.000Z","type":"transfer","action":"pull","ref":"docker.io/library/nginx","blob":"sha256:${'ab'.repeat(32)}","total":1000,"current":10,"done":false}\n`,
    ]);
  });
});

describe('transfer progress of pulls [server]', function () {
  this.timeout(60000);
  let fixture: BusyboxRegistry | undefined;
  before(async function () {
    if (!registryAvailable()) this.skip();
    fixture = await startBusyboxRegistry('tsbuild-transfer-spec-');
  });
  after(async () => {
    await fixture?.stop();
  });

  it('a pull reports each layer from 0 to its compressed size, ending done', async () => {
    const name = `${fixture!.registry.host}/tests/progress:v1`;
    await fixture!.source.tag(BUSYBOX_TAG, name);
    const pushed = await pushImage(fixture!.source, name);
    const events: TransferEvent[] = [];
    await pullImage(await freshStore(fixture!.dir, 'pulled'), name, { onProgress: (event) => events.push(event) });
    const layers = pushed.blobs.filter((blob) => events.some((event) => event.blob === blob.digest));
    expect(layers).to.have.length.greaterThan(0);
    for (const layer of layers) {
      const mine = events.filter((event) => event.blob === layer.digest);
      expect(mine[0]).to.deep.include({ action: 'pull', current: 0, done: false });
      const last = mine.at(-1)!;
      expect(last.done).to.equal(true);
      expect(last.total).to.be.greaterThan(0);
      expect(last.current).to.equal(last.total);
    }
  });
});

describe('transfer progress of -o exports [root]', function () {
  this.timeout(120000);
  let fixture: BuildFixture;
  before(async () => {
    fixture = await makeBuildFixture();
  });
  after(async () => {
    await fixture.dispose();
  });

  it('--progress json has transfer events for the archive, ending with its full size', async () => {
    const dest = join(fixture.dir, 'image.tar');
    const { code, stderr } = await runCli(['--root', fixture.root, 'build', '--progress', 'json', '-o', `type=docker,dest=${dest}`, '-f', '-', fixture.context], { stdin: 'FROM busybox:test\nRUN echo hi > /hi\n' });
    expect(code, stderr).to.equal(0);
    const events = stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as TransferEvent & { v: number }).filter((event) => event.type === 'transfer');
    expect(events[0]).to.deep.include({ v: 1, action: 'export', ref: 'type=docker', current: 0, done: false });
    expect(events.at(-1)).to.deep.include({ current: (await stat(dest)).size, done: true });
  });
});
