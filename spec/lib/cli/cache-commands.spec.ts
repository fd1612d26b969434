// `du`, `prune` and `--cache-max-size` through the CLI: what a build adds shows in du, pruning
// removes cache but never a blob a stored image needs, so tagged images stay whole and saveable.
import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentStore } from '../../../cache/content-store.js';
import { rootLayout } from '../../../cache/root.js';
import { ImageStore } from '../../../lib/store/image-store.js';
import { importBusybox } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';

// Deterministic (pinned mtimes, fixed bytes) so a rebuild after prune gives the same image ID.
const DOCKERFILE = [
  'FROM localhost/busybox:test',
  'COPY a.txt /a.txt',
  'RUN yes tsbuild | head -c 262144 > /big && touch -d @0 /big /',
  '',
].join('\n');

interface Usage {
  blobs: { files: number; bytes: number };
  records: { files: number; bytes: number };
}

describe('tsbuild du / prune / --cache-max-size [root]', function () {
  this.timeout(180000);
  let dir: string;
  let root: string;
  let context: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-cache-cli-'));
    root = join(dir, 'root');
    context = join(dir, 'context');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(context, 'a.txt'), 'alpha\n');
    await utimes(join(context, 'a.txt'), 0, 0);
    await importBusybox(root);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]) {
    return cliWith({}, ...args);
  }
  async function cliWith(env: Record<string, string>, ...args: string[]) {
    const run = await runCli(['--root', root, ...args], { env });
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    return run;
  }
  async function buildId(...extra: string[]): Promise<string> {
    return (await cli('build', '-q', ...extra, context)).stdout.trim();
  }
  async function usage(): Promise<Usage> {
    return JSON.parse((await cli('du', '--json')).stdout) as Usage;
  }
  /** Every blob the stored images need: manifests, configs, layers. */
  async function imageBlobs(): Promise<Set<string>> {
    const digests = new Set<string>();
    for (const image of await (await ImageStore.open(rootLayout(root))).list()) {
      digests.add(image.manifestDigest).add(image.id);
      for (const layer of image.layers) digests.add(layer.digest);
    }
    return digests;
  }
  async function storedBlobs(): Promise<Set<string>> {
    const digests = new Set<string>();
    for await (const blob of (await ContentStore.open(rootLayout(root))).list()) digests.add(blob.digest);
    return digests;
  }
  async function expectImageBlobsIntact(): Promise<void> {
    const content = await ContentStore.open(rootLayout(root));
    for (const digest of await imageBlobs()) expect(await content.verifyBlob(digest), digest).to.equal('ok');
  }

  it('du counts the blobs and records a build adds', async () => {
    const before = await usage();
    await buildId('-t', 'keep:1');
    const after = await usage();
    expect(after.blobs.bytes).to.be.greaterThan(before.blobs.bytes + 200_000);
    expect(after.records.files).to.be.greaterThan(before.records.files);
    expect((await cli('du')).stdout).to.match(/Layers and blobs/);
  });

  /** Builds an image from a changed a.txt and removes it: its RUN and COPY layers are cache only. */
  async function makeCacheOnlyBlobs(): Promise<string[]> {
    const needed = await imageBlobs();
    await writeFile(join(context, 'a.txt'), 'other\n');
    await utimes(join(context, 'a.txt'), 0, 0);
    await buildId('-t', 'scratch:1');
    await cli('rmi', 'scratch:1');
    await writeFile(join(context, 'a.txt'), 'alpha\n');
    await utimes(join(context, 'a.txt'), 0, 0);
    const images = await imageBlobs();
    return [...(await storedBlobs())].filter((digest) => !images.has(digest) && !needed.has(digest));
  }

  // By the store's design (cache/prune-plan.ts) a record goes with its layer blob: the records of
  // an image's layers stay while the image does, so its rebuild is still fully cached.
  it('prune --all removes cache-only blobs, keeps tagged images whole and saveable, and their rebuild', async () => {
    const id = await buildId('-t', 'keep:1');
    const cacheOnly = await makeCacheOnlyBlobs();
    expect(cacheOnly.length).to.be.greaterThan(0);
    await cli('prune', '--all');
    const stored = await storedBlobs();
    for (const digest of cacheOnly) expect(stored.has(digest), digest).to.equal(false);
    expect((await cli('images')).stdout).to.match(/keep\s+1/);
    await expectImageBlobsIntact();
    const tar = join(dir, 'keep.tar');
    await cli('save', '-o', tar, 'keep:1');
    expect((await readFile(tar)).length).to.be.greaterThan(200_000);
    expect(await buildId()).to.equal(id);
  });

  it('RUN cache mounts live in the root: du shows them, prune --all removes them (as BuildKit), plain prune keeps them', async () => {
    const cached = 'FROM localhost/busybox:test\nRUN --mount=type=cache,target=/cache sh -c \'echo run >> /cache/runs; wc -l < /cache/runs > /seen\'\n';
    await writeFile(join(context, 'Dockerfile'), cached);
    await buildId('--no-cache');
    await buildId('--no-cache');
    const state = (): Promise<{ files: number; bytes: number }> => usage().then((all) => (all as unknown as { state: { files: number; bytes: number } }).state);
    expect((await state()).files).to.be.at.least(1);
    expect((await cli('du')).stdout).to.match(/RUN cache mounts\s+\d+/);
    await cli('prune');
    expect((await state()).bytes).to.be.greaterThan(0);
    expect((await cli('prune', '--all')).stdout).to.match(/Removed RUN cache mounts \(\d/);
    expect(await state()).to.deep.equal({ files: 0, bytes: 0 });
    await buildId('--no-cache');
    expect((await state()).bytes).to.equal(4); // "run\n": the cache started empty again
  });

  it('prune --keep-storage 1B removes cache down to what images need and keeps their blobs', async () => {
    await buildId('-t', 'keep:1');
    const cacheOnly = await makeCacheOnlyBlobs();
    const report = JSON.parse((await cli('prune', '--keep-storage', '1B', '--json')).stdout) as { removedBlobs: string[] };
    expect(report.removedBlobs.sort()).to.deep.equal(cacheOnly.sort());
    expect([...(await storedBlobs())].sort()).to.deep.equal([...(await imageBlobs())].sort());
    await expectImageBlobsIntact();
  });

  for (const how of ['--cache-max-size', 'TSBUILD_CACHE_MAX'] as const) it(`build with ${how} cuts cache-only blobs down to the cap once the build is stored`, async () => {
    await buildId('-t', 'keep:1');
    const cacheOnly = await makeCacheOnlyBlobs();
    const content = await ContentStore.open(rootLayout(root));
    let before = 0;
    for (const digest of cacheOnly) before += (await content.stat(digest))!.size;
    expect(before).to.be.greaterThan(1000);
    if (how === '--cache-max-size') await buildId('-t', 'keep:1', '--cache-max-size', '1KB');
    else await cliWith({ TSBUILD_CACHE_MAX: '1KB' }, 'build', '-q', '-t', 'keep:1', context);
    const images = await imageBlobs();
    let after = 0;
    for (const digest of await storedBlobs()) if (!images.has(digest)) after += (await content.stat(digest))!.size;
    expect(after).to.be.at.most(1000);
    await expectImageBlobsIntact();
  });
});
