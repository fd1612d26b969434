// Build caches shared through a real registry and through a local folder [server][root]: a build
// exports its cache, a fresh root (empty but for the pulled base) imports it and reuses every step
// without running it, and produces the same image. RUN steps write the time in nanoseconds, so a
// step that ran again could not give the same layer, and the events say which steps were cached.
import { expect } from 'chai';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCacheFrom, parseCacheTo } from '../../../lib/build-cache/cache-spec.js';
import { build, type BuildEvent, type BuildOptions, type BuildResult } from '../../../lib/build.js';
import { ContentStore } from '../../../cache/content-store.js';
import { KeyIndex } from '../../../cache/key-index.js';
import { ImageStore } from '../../../lib/store/image-store.js';
import { rootLayout } from '../../../cache/root.js';
import { pushImage } from '../../../lib/registry/push.js';
import { BUSYBOX_TAG } from '../../support/busybox-image.js';
import { registryAvailable } from '../../support/registry-server.js';
import { startBusyboxRegistry, type BusyboxRegistry } from '../registry/registry-fixture.js';

const DOCKERFILE = (base: string): string => [
  `FROM ${base} AS builder`,
  'RUN date +%s%N > /built && echo builder-ran',
  `FROM ${base}`,
  'COPY --from=builder /built /from-builder',
  'COPY hello.txt /hello.txt',
  'ENV STAGE=final',
  'RUN date +%s%N > /stamp && echo final-ran',
  '',
].join('\n');

interface Built {
  readonly result: BuildResult;
  /** `stage:text` → cached, for steps that have something to execute. */
  readonly cached: Map<string, boolean>;
  readonly logs: string[];
}

describe('lib/build-cache through a registry and a folder [server][root]', function () {
  this.timeout(180_000);
  let fixture: BusyboxRegistry | undefined;
  let base: string;
  let context: string;
  let roots = 0;

  before(async function () {
    if (!registryAvailable()) this.skip();
    fixture = await startBusyboxRegistry('tsbuild-build-cache-spec-');
    base = `${fixture.registry.host}/tests/busybox:base`;
    await fixture.source.tag(BUSYBOX_TAG, base);
    await pushImage(fixture.source, base);
    context = join(fixture.dir, 'context');
    await mkdir(context);
    await writeFile(join(context, 'hello.txt'), 'hello\n');
  });
  after(async () => {
    await fixture?.stop();
  });

  /** A build in a new, empty root: the base image is pulled by build() itself. */
  async function buildFresh(options: Partial<BuildOptions> = {}): Promise<Built & { root: string }> {
    const root = join(fixture!.dir, `root-${++roots}`);
    const cached = new Map<string, boolean>();
    const logs: string[] = [];
    const onEvent = (event: BuildEvent): void => {
      if (event.type === 'step' && event.phase === 'finished' && !event.metadataOnly) cached.set(`${event.stage}:${event.text}`, event.cached);
      if (event.type === 'log') logs.push(event.line);
    };
    const result = await build({ context, dockerfileText: DOCKERFILE(base), root, onEvent, ...options });
    return { result, cached, logs, root };
  }

  function allCached(built: Built): boolean {
    return [...built.cached.values()].every(Boolean);
  }

  it('[server] cache-to registry (mode=max), then a fresh root with cache-from runs nothing and makes the same image', async () => {
    const ref = `${fixture!.registry.host}/tests/cache:max`;
    const coldStart = Date.now();
    const first = await buildFresh({ cacheTo: [parseCacheTo(`type=registry,ref=${ref},mode=max`, '/')] });
    const cold = Date.now() - coldStart;
    expect(first.logs).to.include.members(['builder-ran', 'final-ran']);
    expect(first.result.cache.misses).to.equal(4);
    const warnings: string[] = [];
    const started = Date.now();
    const second = await buildFresh({ cacheFrom: [parseCacheFrom(`type=registry,ref=${ref}`, '/')], onWarning: (message) => warnings.push(message) });
    const elapsed = Date.now() - started;
    expect(warnings).to.deep.equal([]);
    expect(second.logs).to.deep.equal([]);
    expect(second.cached.size).to.equal(4);
    expect(allCached(second), JSON.stringify([...second.cached])).to.equal(true);
    expect(second.result.imageId).to.equal(first.result.imageId);
    expect(second.result.digest).to.equal(first.result.digest);
    // Lazy: the builder's RUN layer is never needed (its COPY --from hit too), so it was not fetched.
    const builderLayer = await layerOfBuilderRun(first.root);
    expect(await new ContentStore(rootLayout(second.root)).has(builderLayer)).to.equal(false);
    console.log(`      (fresh root: cold build with cache export ${cold} ms, build from the registry cache ${elapsed} ms)`);
  });

  it('[server] cache-from and cache-to the same ref: the re-export names layers the registry has without fetching them', async () => {
    const ref = `${fixture!.registry.host}/tests/cache:same`;
    const first = await buildFresh({ cacheTo: [parseCacheTo(`type=registry,ref=${ref},mode=max`, '/')] });
    const second = await buildFresh({ cacheFrom: [parseCacheFrom(ref, '/')], cacheTo: [parseCacheTo(`type=registry,ref=${ref},mode=max`, '/')] });
    expect(allCached(second)).to.equal(true);
    const builderLayer = await layerOfBuilderRun(first.root);
    expect(await new ContentStore(rootLayout(second.root)).has(builderLayer)).to.equal(false);
    // The cache written by the second build still serves every step to a third root.
    const third = await buildFresh({ cacheFrom: [parseCacheFrom(ref, '/')] });
    expect(allCached(third)).to.equal(true);
    expect(third.result.imageId).to.equal(first.result.imageId);
  });

  it('[server] mode=min exports only the final image’s steps: the builder stage runs again, the rest is reused', async () => {
    const ref = `${fixture!.registry.host}/tests/cache:min`;
    const first = await buildFresh({ cacheTo: [parseCacheTo(`type=registry,ref=${ref}`, '/')] });
    const second = await buildFresh({ cacheFrom: [parseCacheFrom(ref, '/')] });
    expect(second.cached.get('0:RUN date +%s%N > /built && echo builder-ran')).to.equal(false);
    expect([...second.cached].filter(([step]) => step.startsWith('1:')).every(([, cached]) => cached)).to.equal(true);
    expect(second.logs).to.deep.equal(['builder-ran']);
    expect(second.result.imageId).to.equal(first.result.imageId);
  });

  it('[server] a local cache folder round trip: an OCI layout whose manifest names the description and the layers', async () => {
    const dir = join(fixture!.dir, 'local-cache');
    const first = await buildFresh({ cacheTo: [parseCacheTo(`type=local,dest=${dir},mode=max`, '/')] });
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    expect(index.manifests).to.have.length(1);
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).to.equal('latest');
    const manifest = JSON.parse(await readFile(join(dir, 'blobs', index.manifests[0].digest.replace(':', '/')), 'utf8'));
    expect(manifest.config.mediaType).to.equal('application/vnd.tsbuild.cache.config.v1+json');
    const description = JSON.parse(await readFile(join(dir, 'blobs', manifest.config.digest.replace(':', '/')), 'utf8'));
    expect(description.records).to.have.length(4);
    expect(description.layers).to.have.length(manifest.layers.length);
    expect((await readdir(join(dir, 'blobs', 'sha256'))).length).to.equal(manifest.layers.length + 2);
    const second = await buildFresh({ cacheFrom: [parseCacheFrom(`type=local,src=${dir}`, '/')] });
    expect(allCached(second)).to.equal(true);
    expect(second.logs).to.deep.equal([]);
    expect(second.result.imageId).to.equal(first.result.imageId);
  });

  it('[server] a cache-from that is missing or unreachable is a warning and the build runs; a cache-to that fails names where', async () => {
    const warnings: string[] = [];
    const missing = await buildFresh({ cacheFrom: [parseCacheFrom(`${fixture!.registry.host}/tests/nosuch:cache`, '/'), parseCacheFrom('127.0.0.1:1/tests/down:cache', '/')], onWarning: (message) => warnings.push(message) });
    expect(missing.logs).to.include('final-ran');
    expect(warnings.some((line) => line.startsWith(`no build cache found at ${fixture!.registry.host}/tests/nosuch:cache`)), warnings.join('\n')).to.equal(true);
    expect(warnings.some((line) => line.startsWith('cannot import the build cache from 127.0.0.1:1/tests/down:cache')), warnings.join('\n')).to.equal(true);
    let error: Error | undefined;
    await buildFresh({ cacheTo: [parseCacheTo('type=registry,ref=127.0.0.1:1/tests/down:cache', '/')], registry: { retries: 0 } }).catch((caught: Error) => (error = caught));
    expect(error?.message).to.match(/^cannot export the build cache to 127\.0\.0\.1:1\/tests\/down:cache: /);
  });

  it('[server] a damaged layer in a cache folder fails the build with an integrity error naming the cache', async () => {
    const dir = join(fixture!.dir, 'damaged-cache');
    await buildFresh({ cacheTo: [parseCacheTo(`type=local,dest=${dir}`, '/')] });
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(join(dir, 'blobs', index.manifests[0].digest.replace(':', '/')), 'utf8'));
    const layerPath = join(dir, 'blobs', manifest.layers[0].digest.replace(':', '/'));
    const bytes = await readFile(layerPath);
    bytes[bytes.length - 10] ^= 0xff;
    await writeFile(layerPath, bytes);
    let error: Error | undefined;
    const damaged = await buildFresh({ cacheFrom: [parseCacheFrom(`type=local,src=${dir}`, '/')] }).catch((caught: Error) => (error = caught));
    expect(damaged).to.be.instanceOf(Error);
    expect(error?.message).to.include(`local folder ${dir}`);
    expect(error?.message).to.match(/digest mismatch|not valid gzip|does not match/);
  });

  it('[server] keys start from the pulled manifest digest, not the tag: a tag moved to another image misses', async () => {
    const moving = `${fixture!.registry.host}/tests/busybox:moving`;
    await fixture!.source.tag(BUSYBOX_TAG, moving);
    await pushImage(fixture!.source, moving);
    const text = `FROM ${moving}\nRUN echo one > /one\n`;
    const root = join(fixture!.dir, 'moving-root');
    const first = await build({ context, dockerfileText: text, root });
    const parents: unknown[] = [];
    for await (const entry of new KeyIndex(rootLayout(root)).entries()) parents.push((entry.record?.input as { parent?: unknown }).parent);
    const store = await ImageStore.open(rootLayout(root));
    expect(parents).to.deep.equal([(await store.resolve(moving)).manifestDigest]);
    // The tag now names the image just built: with pull 'always' the build starts from it, and misses.
    const source = store;
    await source.tag(first.imageId, moving);
    await pushImage(source, moving);
    const again = await build({ context, dockerfileText: text, root, pull: 'always' });
    expect(again.cache).to.deep.equal({ hits: 0, misses: 1 });
    const same = await build({ context, dockerfileText: text, root, pull: 'never' });
    expect(same.cache).to.deep.equal({ hits: 1, misses: 0 });
  });

  async function layerOfBuilderRun(root: string): Promise<string> {
    // The builder stage's only layer on top of the base: the first build's record for its RUN.
    const index = new KeyIndex(rootLayout(root));
    for await (const entry of index.entries()) {
      const input = entry.record?.input as { op?: { args?: string[] } } | undefined;
      if (JSON.stringify(input ?? {}).includes('builder-ran')) return entry.record!.layer!.digest;
    }
    throw new Error('no record of the builder RUN');
  }
});
