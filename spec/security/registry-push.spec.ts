// SECURITY G7/G8/I3 on the push side: a real registry behind a hostile front that answers upload
// requests with Locations on other hosts, protocol-relative and `file://` URLs, endless error
// bodies, and a manifest digest that lies. Credentials (the password and the bearer token) must
// reach only the registry's own origin, every failure must be a clean error, and after a
// login + push + pull through the CLI neither secret may be in any output or any file of the root.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pushImage } from '../../lib/registry/push.js';
import { TsbuildError } from '../../lib/errors.js';
import { BUSYBOX_TAG } from '../support/busybox-image.js';
import { registryAvailable, startProxy, type ProxyServer } from '../support/registry-server.js';
import { runCli } from '../support/run-cli.js';
import { startBusyboxRegistry, type BusyboxRegistry } from '../lib/registry/registry-fixture.js';
import { filesContaining } from './hostile-build.js';

const USER = 'pushuser';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;

type Intercept = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Bearer auth in front of the registry (token TOKEN for USER/PASSWORD), then `hostile`. */
function front(host: () => string, hostile: () => Intercept | undefined): Intercept {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (url.pathname === '/token') {
      if (req.headers.authorization !== `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`) return void res.writeHead(401).end('{}'), true;
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: TOKEN })), true;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${host()}/token",service="front"`, 'Content-Type': 'application/json' });
      return void res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'), true;
    }
    delete req.headers.authorization;
    return hostile()?.(req, res) ?? false;
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const isUploadStart = (req: IncomingMessage) => req.method === 'POST' && /\/blobs\/uploads\/?(\?|$)/.test(req.url ?? '');

describe('security G7/G8/I3: pushing to a hostile registry [server]', function () {
  this.timeout(120000);
  let fixture: BusyboxRegistry | undefined;
  let proxy: ProxyServer;
  let hostile: Intercept | undefined;
  let evil: Server;
  let evilHost: string;
  const evilSeen: { method: string; authorization: string | undefined }[] = [];
  const credentials = async () => ({ username: USER, password: PASSWORD });

  before(async function () {
    if (!registryAvailable()) this.skip();
    fixture = await startBusyboxRegistry('tsbuild-push-hostile-');
    proxy = await startProxy(fixture.registry.url, front(() => proxy.host, () => hostile));
    evil = createServer((req, res) => {
      evilSeen.push({ method: req.method ?? '', authorization: req.headers.authorization });
      req.resume();
      res.writeHead(req.method === 'PUT' ? 201 : 202, { Location: '/next' }).end();
    });
    evilHost = await listen(evil);
  });
  afterEach(() => {
    hostile = undefined;
  });
  after(async () => {
    evil?.closeAllConnections();
    evil?.close();
    proxy?.close();
    await fixture?.stop();
  });

  async function push(tag: string): Promise<unknown> {
    const name = `${proxy.host}/hostile/busybox:${tag}`;
    await fixture!.source.tag(BUSYBOX_TAG, name);
    return pushImage(fixture!.source, name, { credentials, chunkSize: 1 << 20 }).then(() => undefined, (error: unknown) => error);
  }

  function expectNoSecrets(text: string): void {
    expect(text).not.to.include(PASSWORD);
    expect(text).not.to.include(TOKEN);
    expect(text).not.to.include(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  }

  for (const [what, location, reachesEvil] of [
    ['an absolute URL on another host', () => `http://${evilHost}/upload/1`, true],
    ['a protocol-relative URL on another host', () => `//${evilHost}/upload/2`, true],
    ['the same host and port under another scheme', () => `https://${proxy.host}/v2/hostile/busybox/blobs/uploads/x`, false],
  ] as const) {
    it(`G7: an upload Location that is ${what} gets no credentials`, async () => {
      evilSeen.length = 0;
      hostile = (req, res) => (isUploadStart(req) ? (res.writeHead(202, { Location: location() }).end(), true) : false);
      const error = await push(`loc-${evilSeen.length}-${what.length}`);
      if (reachesEvil) expect(evilSeen.length, 'the upload went to the other host').to.be.above(0);
      for (const seen of evilSeen) expect(seen.authorization, `${seen.method} to the other host`).to.equal(undefined);
      if (error !== undefined) {
        expect(error).to.be.instanceOf(TsbuildError);
        expectNoSecrets((error as Error).message);
      }
    });
  }

  it('G7: an upload Location of file:///etc/passwd or a ../ climb fails cleanly, without reading the file', async () => {
    for (const location of ['file:///etc/passwd', '../../../../../../etc/passwd', 'ftp://127.0.0.1/x']) {
      hostile = (req, res) => (isUploadStart(req) ? (res.writeHead(202, { Location: location }).end(), true) : false);
      const error = await push(`file-${location.length}`);
      expect(error, location).to.be.instanceOf(TsbuildError);
      expect((error as Error).message).not.to.match(/root:x:0:0/);
      expectNoSecrets((error as Error).message);
    }
  });

  it('an endless error body is cut off; the push fails cleanly', async () => {
    let sent = 0;
    hostile = (req, res) => {
      if (!isUploadStart(req)) return false;
      res.writeHead(400, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x61);
      const pump = (): void => {
        while (sent < 512 << 20 && res.write(chunk)) sent += chunk.length;
        if (sent < 512 << 20) res.once('drain', pump);
        else res.end();
      };
      res.on('close', () => undefined);
      pump();
      return true;
    };
    const error = await push('huge');
    expect(error).to.be.instanceOf(TsbuildError);
    expect(sent).to.be.below(64 << 20);
  });

  it('G8: a manifest PUT answered with another Docker-Content-Digest fails the push', async () => {
    hostile = (req, res) => {
      if (req.method !== 'PUT' || !(req.url ?? '').includes('/manifests/')) return false;
      req.resume();
      res.writeHead(201, { 'Docker-Content-Digest': `sha256:${'0'.repeat(64)}` }).end();
      return true;
    };
    const error = await push('g8');
    expect(error).to.be.instanceOf(TsbuildError);
    expect((error as Error).message).to.match(/digest/);
  });

  it('I3: login + push + pull through the CLI: neither the password nor the token is in any output or file of the root', async () => {
    const config = join(fixture!.dir, 'docker-config');
    const source = join(fixture!.dir, 'source');
    const pulled = join(fixture!.dir, 'pulled');
    const env = { DOCKER_CONFIG: config, HOME: fixture!.dir };
    const name = `${proxy.host}/sweep/busybox:1`;
    const outputs: string[] = [];
    const cli = async (...args: string[]) => {
      const run = await runCli(args, { env, ...(args.includes('--password-stdin') ? { stdin: PASSWORD } : {}) });
      outputs.push(run.stdout, run.stderr);
      return run;
    };
    expect((await cli('login', '-u', USER, '--password-stdin', proxy.host)).code).to.equal(0);
    expect((await cli('--root', source, 'tag', BUSYBOX_TAG, name)).code).to.equal(0);
    expect((await cli('--root', source, 'push', name)).code).to.equal(0);
    expect((await cli('--root', pulled, 'pull', name)).code).to.equal(0);
    const wrong = await runCli(['login', '-u', USER, '-p', `${PASSWORD}x`, proxy.host], { env: { DOCKER_CONFIG: join(fixture!.dir, 'other-config') } });
    expect(wrong.code).not.to.equal(0);
    outputs.push(wrong.stdout, wrong.stderr);
    for (const text of outputs) expectNoSecrets(text);
    for (const root of [source, pulled]) {
      for (const secret of [PASSWORD, TOKEN, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')]) {
        expect(filesContaining(root, Buffer.from(secret)), `${secret.slice(0, 4)}… under ${root}`).to.deep.equal([]);
      }
    }
  });
});
