// Reproducible images by default: the same Dockerfile, context and base built in two fresh roots,
// at different wall-clock seconds, give the same image ID and manifest digest, with steps that
// create and change folders (RUN mkdir/touch/echo, COPY into new and existing folders, WORKDIR).
// Layer entry times are clamped to 0 by default and to SOURCE_DATE_EPOCH when given; the epoch is
// part of the step keys, so a build under another epoch does not reuse the layers.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rootLayout } from '../../cache/root.js';
import { build, type BuildResult } from '../../lib/build.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { importBusybox } from '../support/busybox-image.js';
import { runCli } from '../support/run-cli.js';

const run = promisify(execFile);

const DOCKERFILE = [
  'FROM localhost/busybox:test',
  'RUN mkdir -p /newdir/deep && touch /newdir/deep/f && echo hi > /etc/greeting && touch /tmp/t',
  'COPY a.txt /opt/a.txt',
  'COPY sub /etc/sub/',
  'WORKDIR /work/here',
  'RUN echo data > file && mkdir more && touch /bin/xyz',
  '',
].join('\n');

const nextSecond = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1100));

describe('lib/build reproducible images [root]', function () {
  this.timeout(240_000);
  let dir: string;
  let context: string;
  let n = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-repro-'));
    context = join(dir, 'context');
    await mkdir(join(context, 'sub'), { recursive: true });
    await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(context, 'a.txt'), 'alpha\n');
    await writeFile(join(context, 'sub', 'b'), 'bravo\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function freshRoot(): Promise<string> {
    const root = join(dir, `root-${++n}`);
    await importBusybox(root);
    return root;
  }

  async function buildIn(root: string, extra: { sourceDateEpoch?: number; keepFileTimes?: boolean } = {}): Promise<BuildResult> {
    return build({ context, root, tags: ['repro:test'], ...extra });
  }

  async function layerListing(root: string, imageId: string): Promise<string> {
    const tar = join(dir, `save-${++n}.tar`);
    expect((await runCli(['--root', root, 'save', '-o', tar, imageId])).code).to.equal(0);
    const manifest = JSON.parse((await run('tar', ['-xOf', tar, 'manifest.json'])).stdout) as { Layers: string[] }[];
    const lines: string[] = [];
    for (const layer of manifest[0]!.Layers.slice(1)) {
      const { stdout } = await run('sh', ['-c', `tar -xOf "$1" "$2" | tar -tvf - --full-time --numeric-owner`, 'sh', tar, layer]);
      lines.push(stdout);
    }
    return lines.join('');
  }

  it('two fresh roots give the same image ID and manifest digest, with every layer time at 1970-01-01', async () => {
    const rootA = await freshRoot();
    const a = await buildIn(rootA);
    await nextSecond();
    const b = await buildIn(await freshRoot());
    expect(b.imageId).to.equal(a.imageId);
    expect(b.digest).to.equal(a.digest);
    const listing = await layerListing(rootA, a.imageId);
    expect(listing).to.match(/ newdir\/deep\/f\n/).and.match(/ work\/here\/more\/\n/).and.match(/ etc\/sub\/b\n/);
    const times = [...listing.matchAll(/ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) /g)].map((match) => match[1]);
    expect(times.length).to.be.greaterThan(10);
    expect(new Set(times)).to.deep.equal(new Set(['1970-01-01 00:00:00']));
    const image = await (await ImageStore.open(rootLayout(rootA))).resolve(a.imageId);
    expect(image.config.created).to.equal(undefined);
  });

  it('sourceDateEpoch: the same image in two roots, times clamped to it, a different image than the default', async () => {
    const rootA = await freshRoot();
    const plain = await buildIn(rootA);
    const a = await buildIn(rootA, { sourceDateEpoch: 1_700_000_000 });
    // The epoch is in the step keys: nothing of the default build is reused.
    expect(a.cache.hits).to.equal(0);
    expect(a.imageId).to.not.equal(plain.imageId);
    await nextSecond();
    const b = await buildIn(await freshRoot(), { sourceDateEpoch: 1_700_000_000 });
    expect([b.imageId, b.digest]).to.deep.equal([a.imageId, a.digest]);
    const image = await (await ImageStore.open(rootLayout(rootA))).resolve(a.imageId);
    expect(image.config.created).to.equal('2023-11-14T22:13:20Z');
    expect(await layerListing(rootA, a.imageId)).to.match(/ 2023-11-14 22:13:20 work\/here\/file\n/);
  });

  it('keepFileTimes: layers keep the step times, so two roots differ (BuildKit without rewrite-timestamp)', async () => {
    const a = await buildIn(await freshRoot(), { keepFileTimes: true });
    await nextSecond();
    const b = await buildIn(await freshRoot(), { keepFileTimes: true });
    expect(b.imageId).to.not.equal(a.imageId);
  });

  it('CLI: SOURCE_DATE_EPOCH from the environment gives byte-identical -o type=oci archives in two roots', async () => {
    const archives: Buffer[] = [];
    const ids: string[] = [];
    for (const name of ['x', 'y']) {
      const root = await freshRoot();
      const dest = join(dir, `${name}.oci.tar`);
      const built = await runCli(['build', '--root', root, '-q', '-o', `type=oci,dest=${dest}`, context], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
      expect(built.code, built.stderr).to.equal(0);
      ids.push(built.stdout.trim());
      archives.push(await readFile(dest));
      if (name === 'x') await nextSecond();
    }
    expect(ids[1]).to.equal(ids[0]);
    expect(archives[1]!.equals(archives[0]!)).to.equal(true);
  });
});
