import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { prune } from '../../../cache/gc.js';
import { createRootFolders, rootLayout, type RootLayout } from '../../../cache/root.js';
import { containerConfigJson } from '../../../lib/image/config.js';
import { goJson } from '../../../lib/image/go-json.js';
import { ImageStore } from '../../../lib/store/image-store.js';
import { importRootfs } from '../../../lib/store/import-rootfs.js';
import { BUSYBOX_TAG, importBusybox } from '../../support/busybox-image.js';
import { mkTar } from '../../support/mk-tar.js';

const run = promisify(execFile);
const sha = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const tarOf = (text: string): Buffer => mkTar([{ name: 'bin/', type: 'dir' }, { name: 'bin/x', data: text }]);

describe('lib/store image store', () => {
  let dir: string;
  let layout: RootLayout;
  let store: ImageStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-store-'));
    layout = rootLayout(join(dir, 'root'));
    await createRootFolders(layout);
    store = await ImageStore.open(layout);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('imports busybox to the same digests in two fresh roots', async () => {
    const first = await importBusybox(join(dir, 'a'));
    const second = await importBusybox(join(dir, 'b'));
    expect(second.manifestDigest).to.equal(first.manifestDigest);
    expect(second.id).to.equal(first.id);
    expect(first.tags.map((tag) => tag.name)).to.deep.equal(['localhost/busybox:test']);
    expect(first.config.config.Cmd).to.deep.equal(['sh']);
    const again = await (await ImageStore.open(rootLayout(join(dir, 'a')))).resolve(BUSYBOX_TAG);
    expect(again.layers).to.have.length(1);
    expect(again.layers[0]!.digest).to.equal(again.layers[0]!.diffId);
  });

  it('commitRaw keeps foreign config bytes (the image ID is their digest) and checks digest and DiffIDs', async () => {
    const base = await importRootfs(store, Readable.from([tarOf('hi\n')]), { name: 'base' });
    const layers = base.layers.map(({ digest, diffId, size }) => ({ digest, diffId, size }));
    // Key order, spacing and a field tsbuild does not model, as another tool may write them.
    const bytes = Buffer.from(`{"os":"linux", "architecture":"amd64","container":"abc","config":{"Env":null},"rootfs":{"type":"layers","diff_ids":["${layers[0]!.diffId}"]}}`);
    const stored = await store.commitRaw(bytes, layers, { tags: ['raw:1'], expectedConfigDigest: sha(bytes) });
    expect(stored.id).to.equal(sha(bytes));
    expect((await store.content.readVerified(stored.id)).equals(bytes)).to.equal(true);
    expect((await store.resolve('raw:1')).manifestDigest).to.equal(stored.manifestDigest);
    const wrongDigest = await store.commitRaw(bytes, layers, { expectedConfigDigest: sha(Buffer.from('x')) }).catch((error: unknown) => error);
    expect(wrongDigest).to.have.property('code', 'E_INTEGRITY');
    const otherLayers = [{ ...layers[0]!, diffId: sha(Buffer.from('other')) }];
    const mismatch = await store.commitRaw(bytes, otherLayers).catch((error: unknown) => error);
    expect(mismatch).to.be.instanceOf(TypeError);
  });

  it('stores the tar as given (DiffID = sha256 of the uncompressed input, as Docker), gzip or not', async () => {
    const tar = tarOf('hi\n');
    const plain = await importRootfs(store, Readable.from([tar]), { name: 'plain' });
    const gzipped = await importRootfs(store, Readable.from([gzipSync(tar)]), { name: 'gz' });
    expect(plain.config.rootfs.diff_ids).to.deep.equal([sha(tar)]);
    expect(gzipped.manifestDigest).to.equal(plain.manifestDigest);
    expect(plain.config.history).to.deep.equal([{ comment: 'Imported from -' }]);
    expect(plain.config.created).to.equal(undefined);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.openLayer(plain.layers[0]!.digest)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(tar)).to.equal(true);
  });

  it('applies --change as docker import does (config recorded from Docker)', async () => {
    const changes = ['EXPOSE 80/tcp 443', 'VOLUME /data', 'LABEL a=b', 'USER 1:2', 'WORKDIR /w', 'STOPSIGNAL SIGINT', 'ONBUILD RUN x', 'ENTRYPOINT ["/bin/sh","-c"]', 'CMD echo hi'];
    const image = await importRootfs(store, Readable.from([tarOf('x')]), { changes, message: 'm', created: new Date(0) });
    expect(goJson(containerConfigJson(image.config.config))).to.equal(
      '{"User":"1:2","ExposedPorts":{"443/tcp":{},"80/tcp":{}},"Entrypoint":["/bin/sh","-c"],"Cmd":["/bin/sh","-c","echo hi"],' +
      '"Volumes":{"/data":{}},"WorkingDir":"/w","Labels":{"a":"b"},"StopSignal":"SIGINT","OnBuild":["RUN x"]}');
    expect(image.config.history).to.deep.equal([{ created: '1970-01-01T00:00:00Z', comment: 'm' }]);
    expect(image.config.created).to.equal('1970-01-01T00:00:00Z');
  });

  it('refuses changes Docker refuses, and input that is not a tar', async () => {
    for (const change of ['SHELL ["/bin/bash"]', 'RUN true']) {
      const keyword = change.split(' ')[0];
      await importRootfs(store, Readable.from([tarOf('x')]), { changes: [change] }).then(
        () => expect.fail('accepted'),
        (error: Error) => expect(error.message).to.equal(`${keyword} is not a valid change command`),
      );
    }
    await importRootfs(store, Readable.from([Buffer.from('hello, this is not a tar archive at all'.repeat(20))])).then(
      () => expect.fail('accepted'),
      (error: Error) => expect(error.message).to.match(/not a tar archive/),
    );
    expect(await store.list()).to.deep.equal([]);
  });

  it('resolves by tag, digest reference, full ID and unique ID prefix; tags and untags', async () => {
    const image = await importRootfs(store, Readable.from([tarOf('a')]), { name: 'localhost/a:1' });
    const hex = image.id.slice('sha256:'.length);
    for (const reference of ['localhost/a:1', `localhost/a@${image.manifestDigest}`, image.id, hex, hex.slice(0, 5), image.manifestDigest]) {
      expect((await store.resolve(reference)).manifestDigest, reference).to.equal(image.manifestDigest);
    }
    await store.tag('localhost/a:1', 'nginx');
    expect((await store.resolve('docker.io/library/nginx:latest')).id).to.equal(image.id);
    expect(await store.untag('nginx:latest')).to.equal(true);
    await store.resolve('nginx').then(() => expect.fail('found'), (error: Error) => expect(error.message).to.equal('No such image: nginx:latest'));
  });

  it('rmi by tag keeps an image other tags name; by ID across repositories only with force', async () => {
    const image = await importRootfs(store, Readable.from([tarOf('a')]), { name: 'one:1' });
    await store.tag('one:1', 'two:2');
    expect(await store.remove('one:1')).to.deep.equal({ untagged: ['docker.io/library/one:1'], deleted: [] });
    await store.tag('two:2', 'three:3');
    await store.remove(image.id).then(() => expect.fail('removed'), (error: Error) => expect(error.message).to.match(/must be forced\) - image is referenced in multiple repositories/));
    const forced = await store.remove(image.id, { force: true });
    expect(forced.untagged.sort()).to.deep.equal(['docker.io/library/three:3', 'docker.io/library/two:2']);
    expect(forced.deleted).to.deep.equal([image.id]);
    expect(await store.list()).to.deep.equal([]);
  });

  it('prune keeps every blob an image needs, and takes them once the image is removed', async () => {
    const image = await importRootfs(store, Readable.from([tarOf('keep me')]));
    const blobs = [image.manifestDigest, image.id, image.layers[0]!.digest];
    const kept = await prune(layout, { all: true, ...store.keepOptions() });
    expect(kept.removedBlobs).to.deep.equal([]);
    for (const digest of blobs) expect(await store.content.has(digest)).to.equal(true);
    await store.remove(image.id);
    const swept = await prune(layout, { all: true, ...store.keepOptions() });
    expect(swept.removedBlobs.sort()).to.deep.equal([...blobs].sort());
  });

  it('two processes tagging the same root at once lose no tag and tear no file', async function () {
    this.timeout(60_000);
    const image = await importRootfs(store, Readable.from([tarOf('shared')]), { name: 'base:1' });
    const module = fileURLToPath(new URL('../../../lib/store/image-store.js', import.meta.url));
    const script = `const { ImageStore } = await import(${JSON.stringify(module)});
      const store = await ImageStore.open(${JSON.stringify(layout)});
      for (let i = 0; i < 25; i++) { await store.tag('base:1', 'p' + process.argv[1] + '-' + i); await store.tag('base:1', 'shared:' + (i % 3)); }`;
    await Promise.all(['a', 'b'].map((name) => run(process.execPath, ['--input-type=module', '-e', script, name])));
    const tags = (await store.resolve('base:1')).tags.map((tag) => tag.name);
    expect(tags).to.have.length(1 + 50 + 3);
    for (const name of ['a', 'b']) for (let i = 0; i < 25; i++) expect(tags).to.include(`docker.io/library/p${name}-${i}:latest`);
    expect((await store.resolve('shared:2')).id).to.equal(image.id);
  });
});
