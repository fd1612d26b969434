import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from '../../../lib/registry/client.js';
import { RegistryError } from '../../../lib/registry/errors.js';
import { pullImage } from '../../../lib/registry/pull.js';
import { pushImage } from '../../../lib/registry/push.js';
import { ImageStore } from '../../../lib/store/image-store.js';
import { BUSYBOX_TAG } from '../../support/busybox-image.js';
import { registryAvailable, startProxy, type ProxyServer, type RegistryServer } from '../../support/registry-server.js';
import { freshStore, startBusyboxRegistry, type BusyboxRegistry } from './registry-fixture.js';

/** A token server and a registry front that only lets bearer tokens it issued through. */
function bearerFront(host: () => string, tokenRequests: string[]) {
  const issued = new Map<string, string>();
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (url.pathname === '/token') {
      const scopes = url.searchParams.getAll('scope').join(' ');
      tokenRequests.push(scopes);
      if (req.headers.authorization !== `Basic ${Buffer.from('bob:hunter2').toString('base64')}`) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return true;
      }
      const token = `token-${issued.size}`;
      issued.set(token, scopes);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
      return true;
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = token === undefined ? undefined : issued.get(token);
    const writing = req.method !== 'GET' && req.method !== 'HEAD';
    if (granted === undefined || (writing && !granted.includes('push'))) {
      const repository = /^\/v2\/(.+?)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1];
      const scope = repository ? `,scope="repository:${repository}:${writing ? 'pull,push' : 'pull'}"` : '';
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${host()}/token",service="test-registry"${scope}`, 'Content-Type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return true;
    }
    delete req.headers.authorization;
    return false;
  };
}

describe('lib/registry bearer tokens and faults [server]', function () {
  let registry: RegistryServer;
  let dir: string;
  let source: ImageStore;
  let fixture: BusyboxRegistry | undefined;

  before(async function () {
    if (!registryAvailable()) this.skip();
    fixture = await startBusyboxRegistry('tsbuild-registry-bearer-');
    ({ registry, dir, source } = fixture);
  });
  after(async () => {
    await fixture?.stop();
  });

  describe('the bearer token flow', () => {
    let front: ProxyServer;
    const tokenRequests: string[] = [];
    before(async () => {
      front = await startProxy(registry.url, bearerFront(() => front.host, tokenRequests));
    });
    after(() => front?.close());

    it('[server] pushes and pulls with tokens from the realm, one token request per scope', async () => {
      const credentials = async () => ({ username: 'bob', password: 'hunter2' });
      const name = `${front.host}/bearer/busybox:v1`;
      await source.tag(BUSYBOX_TAG, name);
      const pushed = await pushImage(source, name, { credentials });
      const pulled = await pullImage(await freshStore(dir, 'bearer'), name, { credentials });
      expect(pulled.remoteDigest).to.equal(pushed.digest);
      expect(pulled.image.id).to.equal((await source.resolve(BUSYBOX_TAG)).id);
      expect(tokenRequests).to.deep.equal(['repository:bearer/busybox:pull,push', 'repository:bearer/busybox:pull']);
    });

    it('[server] wrong credentials at the token server give a clear error', async () => {
      const error = await pullImage(await freshStore(dir, 'bearer-wrong'), `${front.host}/bearer/busybox:v1`, { credentials: async () => ({ username: 'bob', password: 'nope' }) }).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(RegistryError);
      expect((error as RegistryError).failure).to.equal('auth');
      expect((error as Error).message).to.equal(`${front.host}: the token server refused the credentials of bob (401: UNAUTHORIZED: bad credentials)`);
    });

    it('[server] anonymous access is refused by the same token server', async () => {
      const error = await pullImage(await freshStore(dir, 'bearer-anon'), `${front.host}/bearer/busybox:v1`, { credentials: async () => undefined }).catch((caught: unknown) => caught);
      expect((error as Error).message).to.contain('the token server refused anonymous access (401');
    });
  });

  describe('retries', () => {
    it('[server] a pull survives 503 answers and a reset connection', async () => {
      const name = `${registry.host}/retry/busybox:v1`;
      await source.tag(BUSYBOX_TAG, name);
      await pushImage(source, name);
      let failures = 0;
      const front = await startProxy(registry.url, (req, res) => {
        if (!/\/blobs\/sha256:/.test(req.url ?? '') || req.method !== 'GET') return false;
        failures++;
        if (failures === 1) res.writeHead(503).end('busy');
        else if (failures === 2) req.socket.destroy();
        else return false;
        return true;
      });
      try {
        const pulled = await pullImage(await freshStore(dir, 'retry'), `${front.host}/retry/busybox:v1`, { retryDelayMs: 5, concurrency: 1 });
        expect(pulled.image.id).to.equal((await source.resolve(BUSYBOX_TAG)).id);
        expect(failures).to.equal(4);
      } finally {
        await front.close();
      }
    });

    it('[server] a layer download cut off halfway starts over', async () => {
      const name = `${registry.host}/retry/busybox:v1`;
      const layer = (await source.resolve(BUSYBOX_TAG)).layers[0]!;
      await source.tag(BUSYBOX_TAG, name);
      const pushed = await pushImage(source, name);
      const gzipDigest = pushed.blobs[0]!.digest;
      const blob = Buffer.concat(await (await import('node:stream/promises')).pipeline(await new Registry().repository(registry.host, 'retry/busybox').openBlob(gzipDigest), async (stream: AsyncIterable<Buffer>) => {
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        return chunks;
      }));
      let cut = 0;
      const cutter = await startProxy(registry.url, (req, res) => {
        if (req.method !== 'GET' || !(req.url ?? '').endsWith(`/blobs/${gzipDigest}`) || cut > 0) return false;
        cut++;
        res.writeHead(200, { 'Content-Length': String(blob.length), 'Content-Type': 'application/octet-stream' });
        res.write(blob.subarray(0, blob.length >> 1));
        setTimeout(() => res.socket?.destroy(), 20);
        return true;
      });
      try {
        const pulled = await pullImage(await freshStore(dir, 'cut'), `${cutter.host}/retry/busybox:v1`, { retryDelayMs: 5 });
        expect(cut).to.equal(1);
        expect(pulled.image.layers[0]!.diffId).to.equal(layer.diffId);
      } finally {
        await cutter.close();
      }
    });

    it('[server] gives up after the retries with the last status', async () => {
      const front = await startProxy(registry.url, (req, res) => {
        if (!(req.url ?? '').includes('/manifests/')) return false;
        res.writeHead(502).end('{"errors":[{"code":"UNAVAILABLE","message":"upstream down"}]}');
        return true;
      });
      try {
        const error = await pullImage(await freshStore(dir, 'give-up'), `${front.host}/retry/busybox:v1`, { retryDelayMs: 1, retries: 2 }).catch((caught: unknown) => caught);
        expect((error as Error).message).to.equal(`${front.host}/retry/busybox:v1: GET manifest answered 502 (UNAVAILABLE: upstream down)`);
      } finally {
        await front.close();
      }
    });
  });
});
