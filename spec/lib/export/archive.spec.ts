import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { createRootFolders, rootLayout } from '../../../cache/root.js';
import { loadArchive } from '../../../lib/export/load-archive.js';
import { writeImageArchive, type ArchiveOptions } from '../../../lib/export/write-archive.js';
import { ImageStore, type StoredImage } from '../../../lib/store/image-store.js';
import { BUSYBOX_TAG, importBusybox } from '../../support/busybox-image.js';
import { mkTar, type TarFixtureEntry } from '../../support/mk-tar.js';

const sha = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const FULL_TAG = 'localhost/busybox:test';

async function archiveBytes(store: ImageStore, image: StoredImage, options: ArchiveOptions, names = [FULL_TAG]): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await writeImageArchive(store, [{ image, names }], sink, options);
  return Buffer.concat(chunks);
}

/** The archive's entries in order (regular files only), for specs that tamper with them. */
async function entriesOf(archive: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const extract = tarStream.extract();
  const entries: { name: string; data: Buffer }[] = [];
  Readable.from([archive]).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === 'file') entries.push({ name: entry.header.name, data: Buffer.concat(chunks) });
  }
  return entries;
}

const repack = (entries: readonly TarFixtureEntry[]): Buffer => mkTar(entries);

describe('lib/export image archives (save and load)', () => {
  let dir: string;
  let store: ImageStore;
  let busybox: StoredImage;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-archive-'));
    busybox = await importBusybox(join(dir, 'source'));
    store = await ImageStore.open(rootLayout(join(dir, 'source')));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  let count = 0;
  async function freshStore(): Promise<ImageStore> {
    const layout = rootLayout(join(dir, `target-${++count}`));
    await createRootFolders(layout);
    return ImageStore.open(layout);
  }

  it('docker format: the Docker 25+ layout, loaded into a fresh root as the same manifest, ID and tag', async () => {
    const archive = await archiveBytes(store, busybox, { format: 'docker', compression: 'none' });
    const names = (await entriesOf(archive)).map((entry) => entry.name);
    const layer = busybox.layers[0]!.digest.slice(7);
    expect(names).to.deep.equal(
      [`blobs/sha256/${layer}`, `blobs/sha256/${busybox.manifestDigest.slice(7)}`, `blobs/sha256/${busybox.id.slice(7)}`].sort().concat(['index.json', 'manifest.json', 'oci-layout', 'repositories']),
    );
    const target = await freshStore();
    const [loaded, ...rest] = await loadArchive(target, Readable.from([archive]));
    expect(rest).to.have.length(0);
    expect(loaded!.image.manifestDigest).to.equal(busybox.manifestDigest);
    expect(loaded!.image.id).to.equal(busybox.id);
    expect((await target.resolve(BUSYBOX_TAG)).manifestDigest).to.equal(busybox.manifestDigest);
  });

  it('is byte-for-byte reproducible, gzip layers included; the compression level changes the layer digest', async () => {
    const first = await archiveBytes(store, busybox, { format: 'oci', compression: 'gzip' });
    const second = await archiveBytes(store, busybox, { format: 'oci', compression: 'gzip' });
    expect(sha(second)).to.equal(sha(first));
    const fast = await archiveBytes(store, busybox, { format: 'oci', compression: 'gzip', compressionLevel: 1 });
    expect(sha(fast)).to.not.equal(sha(first));
    const layer = (await entriesOf(first)).find((entry) => entry.data[0] === 0x1f && entry.data[1] === 0x8b)!;
    expect(layer.data.subarray(4, 8).readUInt32LE(0), 'gzip header mtime').to.equal(0);
    expect(layer.data[3]! & 0x08, 'gzip FNAME flag').to.equal(0);
  });

  it('oci format: only oci-layout, index.json and blobs; gzip layers load back as the uncompressed layers with the same image ID', async () => {
    const archive = await archiveBytes(store, busybox, { format: 'oci', compression: 'gzip' });
    const entries = await entriesOf(archive);
    expect(entries.map((entry) => entry.name).filter((name) => !name.startsWith('blobs/'))).to.deep.equal(['index.json', 'oci-layout']);
    const index = JSON.parse(entries.find((entry) => entry.name === 'index.json')!.data.toString());
    const manifest = JSON.parse(entries.find((entry) => entry.name === `blobs/${index.manifests[0].digest.replace(':', '/')}`)!.data.toString());
    expect(manifest.layers[0].mediaType).to.equal('application/vnd.oci.image.layer.v1.tar+gzip');
    const target = await freshStore();
    const [loaded] = await loadArchive(target, Readable.from([archive]));
    expect(loaded!.image.id).to.equal(busybox.id);
    expect(loaded!.image.layers.map((layer) => layer.digest)).to.deep.equal(busybox.config.rootfs.diff_ids);
    expect(loaded!.image.manifestDigest).to.equal(busybox.manifestDigest);
    expect(loaded!.names).to.deep.equal([FULL_TAG]);
  });

  it('loads a gzip-compressed archive and old-layout names (<id>.json, <id>/layer.tar, ./ prefixes)', async () => {
    const config = await store.content.readVerified(busybox.id);
    const layer = await store.content.readVerified(busybox.layers[0]!.digest);
    const legacy = repack([
      { name: `./${busybox.id.slice(7)}.json`, data: config },
      { name: './aaaa/', type: 'dir' },
      { name: `./${'a'.repeat(64)}/layer.tar`, data: gzipSync(layer) },
      { name: './manifest.json', data: JSON.stringify([{ Config: `${busybox.id.slice(7)}.json`, RepoTags: ['old:one'], Layers: [`${'a'.repeat(64)}/layer.tar`] }]) },
    ]);
    const target = await freshStore();
    const [loaded] = await loadArchive(target, Readable.from([gzipSync(legacy)]));
    expect(loaded!.image.id).to.equal(busybox.id);
    expect(loaded!.names).to.deep.equal(['docker.io/library/old:one']);
  });

  describe('refusals (every digest is checked; names are never trusted)', () => {
    let entries: { name: string; data: Buffer }[];
    before(async () => {
      entries = await entriesOf(await archiveBytes(store, busybox, { format: 'docker', compression: 'none' }));
    });

    async function loadFails(archive: Buffer, pattern: RegExp): Promise<ImageStore> {
      const target = await freshStore();
      const error = await loadArchive(target, Readable.from([archive])).then(() => undefined, (caught: Error) => caught);
      expect(error, 'load should fail').to.be.instanceOf(Error);
      expect(error!.message).to.match(pattern);
      expect(await target.list()).to.deep.equal([]);
      expect(await readdir(target.layout.tmp)).to.deep.equal([]);
      return target;
    }

    it('a blob whose bytes do not match its name', async () => {
      const tampered = entries.map((entry) => (entry.name === `blobs/${busybox.id.replace(':', '/')}` ? { ...entry, data: Buffer.concat([entry.data, Buffer.from(' ')]) } : entry));
      await loadFails(repack(tampered), /does not match its digest/);
    });

    it("a layer that is a valid blob but not the config's DiffID", async () => {
      const other = mkTar([{ name: 'evil', data: 'x' }]);
      const layerName = `blobs/${busybox.layers[0]!.digest.replace(':', '/')}`;
      const swapped = entries.map((entry) => (entry.name === layerName ? { name: `blobs/${sha(other).replace(':', '/')}`, data: other } : entry))
        .map((entry) => (entry.name === 'manifest.json' ? { ...entry, data: Buffer.from(entry.data.toString().split(layerName).join(`blobs/${sha(other).replace(':', '/')}`)) } : entry));
      await loadFails(repack(swapped), /does not match the config's DiffID/);
    });

    it('a descriptor whose size lies', async () => {
      const oci = await entriesOf(await archiveBytes(store, busybox, { format: 'oci', compression: 'none' }));
      const lying = oci.map((entry) => (entry.name === 'index.json' ? { ...entry, data: Buffer.from(entry.data.toString().replace('"size":400', '"size":399')) } : entry));
      await loadFails(repack(lying), /descriptor says 399/);
    });

    it('entry names that climb out (`../`), with nothing written outside the scratch folder', async () => {
      await loadFails(repack([{ name: '../escape.json', data: '{}' }, ...entries]), /invalid archive entry name/);
      await loadFails(repack([{ name: 'blobs/../../manifest.json', data: '[]' }, ...entries]), /invalid archive entry name/);
    });

    it('unknown names are skipped unread; a symlinked index.json is not followed', async () => {
      const target = await freshStore();
      const extra: TarFixtureEntry[] = [{ name: 'etc/passwd', data: 'root::0:0' }, { name: 'index.json', type: 'symlink', linkname: '/etc/passwd' }];
      const loaded = await loadArchive(target, Readable.from([repack([...extra, ...entries])]));
      expect(loaded.map((item) => item.image.id)).to.deep.equal([busybox.id]);
    });

    it('budgets: too many entries, an oversized metadata file, too many bytes', async () => {
      const target = await freshStore();
      const load = (archive: Buffer, budgets: object) => loadArchive(target, Readable.from([archive]), { budgets });
      await expectReject(load(repack(entries), { maxEntries: 3 }), /more than 3 entries/);
      await expectReject(load(repack(entries), { maxMetadataBytes: 100 }), /larger than 100 bytes/);
      await expectReject(load(repack(entries), { maxBytes: 1024 * 1024 }), /maxBytes|budget/);
      expect(await readdir(target.layout.tmp)).to.deep.equal([]);
    });

    it('a gzip layer that inflates past the byte budget (a small archive, a large layer)', async () => {
      const bomb = gzipSync(mkTar([{ name: 'zeros', data: Buffer.alloc(8 * 1024 * 1024) }]));
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(gunzipSync(bomb))] } }));
      const archive = repack([
        { name: `blobs/${sha(config).replace(':', '/')}`, data: config },
        { name: `blobs/${sha(bomb).replace(':', '/')}`, data: bomb },
        { name: 'manifest.json', data: JSON.stringify([{ Config: `blobs/${sha(config).replace(':', '/')}`, RepoTags: [], Layers: [`blobs/${sha(bomb).replace(':', '/')}`] }]) },
      ]);
      expect(archive.length).to.be.lessThan(1024 * 1024);
      const target = await freshStore();
      await expectReject(loadArchive(target, Readable.from([archive]), { budgets: { maxBytes: 1024 * 1024 } }), /larger than 1048576 bytes uncompressed/);
      expect(await target.list()).to.deep.equal([]);
    });

    it('an archive that is neither layout, and a truncated one', async () => {
      await loadFails(repack([{ name: 'hello.txt', data: 'hi' }]), /neither manifest.json nor index.json/);
      const whole = repack(entries);
      await loadFails(whole.subarray(0, whole.length - 3000), /truncated|end of/i);
    });
  });
});

async function expectReject(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (caught: Error) => caught);
  expect(error, 'should fail').to.be.instanceOf(Error);
  expect(error!.message).to.match(pattern);
}
