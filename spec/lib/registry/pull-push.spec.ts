import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { TsbuildError } from '../../../lib/errors.js';
import { ociIndex, serializeIndex } from '../../../lib/image/manifest.js';
import { MediaTypes } from '../../../lib/image/media-types.js';
import { hostPlatform } from '../../../lib/platform.js';
import { Registry } from '../../../lib/registry/client.js';
import { RegistryError } from '../../../lib/registry/errors.js';
import { pullImage } from '../../../lib/registry/pull.js';
import { pushImage } from '../../../lib/registry/push.js';
import { ImageStore } from '../../../lib/store/image-store.js';
import { importRootfs } from '../../../lib/store/import-rootfs.js';
import { BUSYBOX_TAG } from '../../support/busybox-image.js';
import { mkTar } from '../../support/mk-tar.js';
import { registryAvailable, startProxy, type RegistryServer } from '../../support/registry-server.js';
import { freshStore, startBusyboxRegistry, type BusyboxRegistry } from './registry-fixture.js';

const sha = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('lib/registry pull and push against docker-registry [server]', function () {
  let registry: RegistryServer;
  let dir: string;
  let source: ImageStore;
  let fixture: BusyboxRegistry | undefined;

  before(async function () {
    if (!registryAvailable()) this.skip();
    fixture = await startBusyboxRegistry('tsbuild-registry-spec-');
    ({ registry, dir, source } = fixture);
  });
  after(async () => {
    await fixture?.stop();
  });

  it('[server] pushes busybox and pulls it into a fresh root with the same image', async () => {
    const original = await source.resolve(BUSYBOX_TAG);
    const name = `${registry.host}/tests/busybox:v1`;
    await source.tag(BUSYBOX_TAG, name);
    const pushed = await pushImage(source, name);
    expect(pushed.blobs.map((blob) => blob.action)).to.deep.equal(['uploaded', 'uploaded']);
    const target = await freshStore(dir, 'pulled');
    const pulled = await pullImage(target, name);
    expect(pulled.remoteDigest).to.equal(pushed.digest);
    expect(pulled.image.id).to.equal(original.id);
    expect(pulled.image.manifestDigest).to.equal(original.manifestDigest);
    expect(pulled.image.layers.map((layer) => layer.diffId)).to.deep.equal(original.layers.map((layer) => layer.diffId));
    expect(pulled.tag).to.equal(name);
    expect((await target.resolve(name)).id).to.equal(original.id);
    // The registry holds gzip layers whose content is the stored tar.
    const manifest = JSON.parse((await new Registry().repository(registry.host, 'tests/busybox').getManifest('v1')).bytes.toString('utf8'));
    expect(manifest.layers[0].mediaType).to.equal(MediaTypes.ociLayerGzip);
    expect(manifest.config.digest).to.equal(original.id);
  });

  it('[server] a second push finds every blob present, and a pull of a present image downloads nothing', async () => {
    const name = `${registry.host}/tests/busybox:v1`;
    const again = await pushImage(source, name);
    expect(again.blobs.map((blob) => blob.action)).to.deep.equal(['exists', 'exists']);
    const events: string[] = [];
    await pullImage(source, name, { onLayer: (event) => events.push(event.action) });
    expect(events).to.deep.equal(['exists']);
  });

  it('[server] mounts layers from another repository and uploads in chunks', async () => {
    const store = await freshStore(dir, 'chunks');
    const layerA = mkTar([{ name: 'a.txt', data: 'x'.repeat(300_000) }]);
    const image = await importRootfs(store, Readable.from([layerA]), { name: `${registry.host}/tests/chunked:one` });
    const chunked = await pushImage(store, `${registry.host}/tests/chunked:one`, { chunkSize: 4096 });
    expect(chunked.blobs[0]!.action).to.equal('uploaded');
    await store.tag(image.id, `${registry.host}/tests/other:one`);
    const mounted = await pushImage(store, `${registry.host}/tests/other:one`, { mountFrom: ['tests/chunked'] });
    expect(mounted.blobs.map((blob) => blob.action)).to.deep.equal(['mounted', 'mounted']);
    const pulled = await pullImage(await freshStore(dir, 'chunks-pulled'), `${registry.host}/tests/other:one`);
    expect(pulled.image.layers[0]!.diffId).to.equal(sha(layerA));
  });

  it('[server] picks the host platform from an index, and pulls by digest', async () => {
    const repository = new Registry().repository(registry.host, 'tests/busybox');
    const single = await repository.getManifest('v1');
    const host = hostPlatform();
    const other = host.architecture === 'amd64' ? { os: 'linux', architecture: 'arm64', variant: 'v8' } : { os: 'linux', architecture: 'amd64' };
    const decoyStore = await freshStore(dir, 'decoy');
    await importRootfs(decoyStore, Readable.from([mkTar([{ name: 'decoy', data: 'other platform' }])]), { name: `${registry.host}/tests/busybox:decoy` });
    const decoy = await pushImage(decoyStore, `${registry.host}/tests/busybox:decoy`);
    const index = serializeIndex(ociIndex([
      { mediaType: MediaTypes.ociManifest, digest: decoy.digest, size: decoy.size, platform: other },
      { mediaType: MediaTypes.ociManifest, digest: single.digest, size: single.bytes.length, platform: host },
    ]));
    const indexDigest = await repository.putManifest('multi', index, MediaTypes.ociIndex);
    expect(indexDigest).to.equal(sha(index));
    const pulled = await pullImage(await freshStore(dir, 'multi'), `${registry.host}/tests/busybox:multi`);
    expect(pulled.remoteDigest).to.equal(indexDigest);
    expect(pulled.image.id).to.equal((await source.resolve(BUSYBOX_TAG)).id);
    const byDigest = await pullImage(await freshStore(dir, 'by-digest'), `${registry.host}/tests/busybox@${single.digest}`);
    expect(byDigest.tag).to.equal(undefined);
    expect(byDigest.image.tags).to.deep.equal([]);
    const wrong = await pullImage(await freshStore(dir, 'wrong-platform'), `${registry.host}/tests/busybox:multi`, { platform: { os: 'windows', architecture: 'amd64' } }).catch((error: unknown) => error);
    expect(wrong).to.be.instanceOf(RegistryError);
    expect((wrong as Error).message).to.match(/no manifest for platform windows\/amd64/);
  });

  it('[server] refuses a blob whose bytes do not match its digest, and stores nothing', async () => {
    const single = await new Registry().repository(registry.host, 'tests/busybox').getManifest('v1');
    const layerDigest = JSON.parse(single.bytes.toString('utf8')).layers[0].digest as string;
    const proxy = await startProxy(registry.url, () => false, (req, body) => {
      if (req.method !== 'GET' || !req.url?.endsWith(`/blobs/${layerDigest}`)) return body;
      const damaged = Buffer.from(body);
      damaged[damaged.length - 20] ^= 0xff;
      return damaged;
    });
    try {
      const store = await freshStore(dir, 'corrupt');
      const error = await pullImage(store, `${proxy.host}/tests/busybox:v1`).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(TsbuildError);
      expect((error as TsbuildError).code).to.equal('E_INTEGRITY');
      expect((error as Error).message).to.match(/digest mismatch: expected sha256:[0-9a-f]{64}, received sha256:|not valid gzip/);
      expect(await store.list()).to.deep.equal([]);
      expect(await store.records.listTags()).to.deep.equal([]);
      const blobs: string[] = [];
      for await (const blob of store.content.list()) blobs.push(blob.digest);
      const diffId = (await source.resolve(BUSYBOX_TAG)).layers[0]!.diffId;
      expect(blobs).to.not.include(diffId);
    } finally {
      await proxy.close();
    }
  });

  it('[server] pulls Docker schema 2 manifests through a Docker manifest list', async () => {
    const repository = new Registry().repository(registry.host, 'tests/busybox', 'push');
    const oci = JSON.parse((await repository.getManifest('v1')).bytes.toString('utf8'));
    const docker = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.dockerManifest,
      config: { ...oci.config, mediaType: MediaTypes.dockerConfig },
      layers: oci.layers.map((layer: { digest: string; size: number }) => ({ mediaType: MediaTypes.dockerLayerGzip, digest: layer.digest, size: layer.size })),
    }));
    const dockerDigest = await repository.putManifest('docker', docker, MediaTypes.dockerManifest);
    const list = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.dockerManifestList,
      manifests: [{ mediaType: MediaTypes.dockerManifest, digest: dockerDigest, size: docker.length, platform: hostPlatform() }],
    }));
    await repository.putManifest('dockerlist', list, MediaTypes.dockerManifestList);
    const pulled = await pullImage(await freshStore(dir, 'docker-list'), `${registry.host}/tests/busybox:dockerlist`);
    expect(pulled.remoteDigest).to.equal(sha(list));
    expect(pulled.image.id).to.equal((await source.resolve(BUSYBOX_TAG)).id);
  });

  it('[server] refuses a layer whose content is not the DiffID its config names, and stores nothing', async () => {
    const repository = new Registry().repository(registry.host, 'tests/busybox', 'push');
    const oci = JSON.parse((await repository.getManifest('v1')).bytes.toString('utf8'));
    const config = JSON.parse((await source.content.readVerified(oci.config.digest)).toString('utf8'));
    config.rootfs.diff_ids = [sha(Buffer.from('some other tar'))];
    const configBytes = Buffer.from(JSON.stringify(config));
    await repository.uploadBlob(sha(configBytes), configBytes.length, () => Readable.from([configBytes]));
    const manifest = Buffer.from(JSON.stringify({ ...oci, config: { ...oci.config, digest: sha(configBytes), size: configBytes.length } }));
    await repository.putManifest('baddiff', manifest, MediaTypes.ociManifest);
    const store = await freshStore(dir, 'bad-diff');
    const error = await pullImage(store, `${registry.host}/tests/busybox:baddiff`).catch((caught: unknown) => caught);
    expect((error as TsbuildError).code).to.equal('E_INTEGRITY');
    expect((error as Error).message).to.contain(`layer ${oci.layers[0].digest} does not match the config's DiffID ${config.rootfs.diff_ids[0]}`);
    expect(await store.list()).to.deep.equal([]);
  });

  it('[server] refuses an index whose descriptor digest is not a digest (it would become a URL path)', async () => {
    const evil = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ mediaType: MediaTypes.ociManifest, digest: '../../../v2/x', size: 1, platform: hostPlatform() }] }));
    const requested: string[] = [];
    const proxy = await startProxy(registry.url, (req, res) => {
      requested.push(req.url ?? '');
      if (!(req.url ?? '').endsWith('/manifests/evil')) return false;
      res.writeHead(200, { 'Content-Type': MediaTypes.ociIndex, 'Content-Length': String(evil.length) }).end(evil);
      return true;
    });
    try {
      const error = await pullImage(await freshStore(dir, 'evil'), `${proxy.host}/tests/busybox:evil`).catch((caught: unknown) => caught);
      expect((error as Error).message).to.equal(`${proxy.host}/tests/busybox:evil: the index names an invalid manifest descriptor`);
      expect(requested.filter((url) => !url.endsWith('/v2/'))).to.deep.equal(['/v2/tests/busybox/manifests/evil']);
    } finally {
      await proxy.close();
    }
  });

  it('[server] a missing tag is a clear not-found error', async () => {
    const error = await pullImage(await freshStore(dir, 'missing'), `${registry.host}/tests/busybox:nope`).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(RegistryError);
    expect((error as TsbuildError).code).to.equal('E_NOT_FOUND');
    expect((error as Error).message).to.contain(`${registry.host}/tests/busybox:nope: GET manifest not found (MANIFEST_UNKNOWN`);
  });
});
