// SECURITY.md group G: pullImage against a hostile registry, a small node HTTP server on 127.0.0.1
// that serves one image and can lie in every way the table lists. Every case must fail before
// anything is stored (or, for G7, without handing credentials to another server).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootFolders, rootLayout } from '../../cache/root.js';
import { pullImage } from '../../lib/registry/pull.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { mkTar } from '../support/mk-tar.js';

const sha = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const PASSWORD = `pw-${process.pid}-secret`;

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

interface Hostile {
  readonly host: string;
  readonly layer: Buffer;
  readonly config: Buffer;
  manifest: Record<string, unknown>;
  /** Tried before the honest routes; returns true when it answered. */
  override?: Handler;
  readonly seenAuth: string[];
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function hostileRegistry(): Promise<{ registry: Hostile; server: Server }> {
  const layer = mkTar([{ name: 'hello', data: 'hello\n' }]);
  const config = Buffer.from(JSON.stringify({ architecture: process.arch === 'x64' ? 'amd64' : process.arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] }, config: {} }));
  const registry: Hostile = {
    host: '',
    layer,
    config,
    manifest: {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    },
    seenAuth: [],
  };
  const server = createServer((req, res) => {
    if (registry.override?.(req, res)) return;
    const url = req.url ?? '';
    if (url === '/v2/' || url === '/v2') return void res.end('{}');
    const body = url.includes('/manifests/') ? Buffer.from(JSON.stringify(registry.manifest)) : url.endsWith(sha(layer)) ? layer : url.endsWith(sha(config)) ? config : undefined;
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': url.includes('/manifests/') ? OCI_MANIFEST : 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  });
  return { registry: Object.assign(registry, { host: await listen(server) }), server };
}

describe('security G: pulling from a hostile registry', function () {
  this.timeout(60000);
  let dir: string;
  let store: ImageStore;
  let registry: Hostile;
  let server: Server;
  const extra: Server[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'security-registry-'));
    const layout = rootLayout(join(dir, 'root'));
    await createRootFolders(layout);
    store = await ImageStore.open(layout);
    ({ registry, server } = await hostileRegistry());
  });
  afterEach(async () => {
    for (const s of [server, ...extra.splice(0)]) s.closeAllConnections(), s.close();
    await rm(dir, { recursive: true, force: true });
  });

  const pull = (reference = 'evil:1') =>
    pullImage(store, `${registry.host}/${reference}`, { credentials: async () => ({ username: 'u', password: PASSWORD }), retries: 0 }).then(
      () => undefined,
      (error: Error) => error,
    );
  const blobsStored = () => readdirSync(join(dir, 'root'), { recursive: true, encoding: 'utf8' }).filter((name) => /[0-9a-f]{64}$/.test(name));

  it('the honest image pulls (the fixture itself is valid)', async () => {
    expect(await pull()).to.equal(undefined);
    expect(blobsStored().length).to.be.greaterThan(0);
  });

  it('G2: a blob longer than its descriptor size is cut off and refused; the server sends a bounded amount', async () => {
    let sent = 0;
    registry.override = (req, res) => {
      if (!req.url!.endsWith(sha(registry.layer))) return false;
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (sent < 512 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 512 * 1024 * 1024 && !res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => undefined);
      pump();
      return true;
    };
    const error = await pull();
    expect(error).to.be.instanceOf(Error);
    expect(sent).to.be.below(64 * 1024 * 1024);
    expect(blobsStored().filter((name) => name.endsWith(sha(registry.layer).slice(7)))).to.deep.equal([]);
  });

  it('G3: a manifest by digest that is another manifest is refused', async () => {
    const other = Buffer.from(JSON.stringify({ ...registry.manifest, annotations: { x: 'y' } }));
    const error = await pull(`evil@${sha(other)}`);
    expect(error).to.be.instanceOf(Error);
    expect(error!.message).to.match(/digest/i);
  });

  it('G3: a Docker-Content-Digest header that disagrees with the body is refused', async () => {
    registry.override = (req, res) => {
      if (!req.url!.includes('/manifests/')) return false;
      const body = Buffer.from(JSON.stringify(registry.manifest));
      res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': sha('something else') }).end(body);
      return true;
    };
    expect(await pull()).to.be.instanceOf(Error);
  });

  const confusions: Array<[string, (m: Record<string, unknown>) => Record<string, unknown>]> = [
    ['an OCI manifest that also has manifests', (m) => ({ ...m, manifests: [] })],
    ['an index media type with layers', (m) => ({ ...m, mediaType: 'application/vnd.oci.image.index.v1+json' })],
    ['schema 1 (fsLayers)', (m) => ({ schemaVersion: 1, fsLayers: [{ blobSum: (m.layers as Array<{ digest: string }>)[0]!.digest }] })],
    ['an index that also has layers', (m) => ({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [], layers: m.layers })],
    ['an unknown media type', (m) => ({ ...m, mediaType: 'application/x-evil' })],
  ];
  for (const [name, change] of confusions) {
    it(`G4: ${name} is refused`, async () => {
      registry.manifest = change(registry.manifest);
      expect(await pull()).to.be.instanceOf(Error);
      expect(blobsStored()).to.deep.equal([]);
    });
  }

  for (const digest of ['sha256:../../../../../../tmp/sec-g5', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `md5:${'a'.repeat(32)}`, '']) {
    it(`G5: a layer digest ${JSON.stringify(digest)} is refused before any use`, async () => {
      const requested: string[] = [];
      const honest = registry.override;
      registry.override = (req, res) => (requested.push(req.url!), honest?.(req, res) ?? false);
      (registry.manifest.layers as Array<{ digest: string }>)[0]!.digest = digest;
      expect(await pull()).to.be.instanceOf(Error);
      expect(requested.filter((url) => url.includes('..') || url.includes('AAAA'))).to.deep.equal([]);
      expect(existsSync('/tmp/sec-g5')).to.equal(false);
      expect(blobsStored()).to.deep.equal([]);
    });
  }

  it('G6: a 64 MiB manifest is abandoned at the manifest cap', async () => {
    let sent = 0;
    registry.override = (req, res) => {
      if (!req.url!.includes('/manifests/')) return false;
      res.writeHead(200, { 'Content-Type': OCI_MANIFEST });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 64 * 1024 * 1024 && !res.destroyed) res.once('drain', pump);
        else if (sent >= 64 * 1024 * 1024) res.end();
      };
      pump();
      return true;
    };
    const error = await pull();
    expect(error).to.be.instanceOf(Error);
    expect(sent).to.be.below(32 * 1024 * 1024);
  });

  it('G7: a blob redirected to another port gets no Authorization header; the password is in no error', async () => {
    const evilAuth: string[] = [];
    const evil = createServer((req, res) => {
      evilAuth.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'Content-Length': registry.layer.length }).end(registry.layer);
    });
    extra.push(evil);
    const evilHost = await listen(evil);
    registry.override = (req, res) => {
      if (!req.headers.authorization) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="evil"' }).end(), true;
      registry.seenAuth.push(req.headers.authorization);
      if (!req.url!.endsWith(sha(registry.layer))) return false;
      res.writeHead(307, { Location: `http://${evilHost}/blob` }).end();
      return true;
    };
    const error = await pull();
    expect(registry.seenAuth.length, 'the registry itself got credentials').to.be.greaterThan(0);
    expect(evilAuth.length, 'the redirect was followed').to.be.greaterThan(0);
    expect(evilAuth.filter(Boolean)).to.deep.equal([]);
    if (error) expect(error.message).not.to.include(PASSWORD);
  });

  it('G7: foreign layer urls are never fetched', async () => {
    const evilRequests: string[] = [];
    const evil = createServer((req, res) => (evilRequests.push(req.url!), res.end(registry.layer)));
    extra.push(evil);
    const evilHost = await listen(evil);
    (registry.manifest.layers as Array<Record<string, unknown>>)[0]!.urls = [`http://${evilHost}/foreign`];
    registry.override = (req, res) => (req.url!.endsWith(sha(registry.layer)) ? (res.writeHead(404).end(), true) : false);
    expect(await pull()).to.be.instanceOf(Error);
    expect(evilRequests).to.deep.equal([]);
  });
});
