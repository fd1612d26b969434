// A real registry for specs: Debian's docker-registry (the CNCF distribution server) on
// 127.0.0.1 with a free port and its own temp storage, plain or behind TLS with a CA made here
// by openssl, optionally with htpasswd basic auth (bcrypt lines from perl's crypt(), which
// libxcrypt backs with bcrypt). startProxy puts a small HTTP server in front of one, for the
// faults and auth flows a stock registry does not show (a flipped byte, a bearer challenge).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface RegistryServerOptions {
  readonly tls?: boolean;
  readonly users?: Readonly<Record<string, string>>;
}

export interface RegistryServer {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  readonly host: string;
  readonly url: string;
  /** The CA that signed the server certificate (TLS only). */
  readonly caFile?: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export function registryAvailable(): boolean {
  return existsSync(REGISTRY_BINARY);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts a registry; a free port can be taken by someone else before the server binds it, so it tries three. */
export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOnce(options);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function startRegistryOnce(options: RegistryServerOptions): Promise<RegistryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const lines = ['version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, '  delete:', '    enabled: true', 'http:', `  addr: ${host}`];
  let caFile: string | undefined;
  if (options.tls) {
    caFile = makeCertificates(dir);
    lines.push('  tls:', `    certificate: ${join(dir, 'server.crt')}`, `    key: ${join(dir, 'server.key')}`);
  }
  if (options.users) {
    await writeFile(join(dir, 'htpasswd'), Object.entries(options.users).map(([user, password]) => `${user}:${bcrypt(password)}\n`).join(''));
    lines.push('auth:', '  htpasswd:', '    realm: tsbuild-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  await writeFile(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = `${options.tls ? 'https' : 'http'}://${host}`;
  try {
    await waitUntilUp(url, child, caFile, () => stderr);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host,
    url,
    dir,
    ...(caFile !== undefined ? { caFile } : {}),
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A bcrypt htpasswd hash ($2b$, cost 5: fast, and the registry accepts any cost). */
export function bcrypt(password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = [...randomBytes(21)].map((byte) => alphabet[byte % 64]).join('') + '.';
  const hash = execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`], { encoding: 'utf8' });
  if (!hash.startsWith('$2b$')) throw new Error(`perl's crypt() does not do bcrypt here: ${hash}`);
  return hash;
}

/** A CA and a server certificate for 127.0.0.1 signed by it; returns the CA's file. */
function makeCertificates(dir: string): string {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=tsbuild test CA']);
  run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1,DNS:localhost\\n" > san.cnf'], { cwd: dir });
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.cnf']);
  return join(dir, 'ca.crt');
}

async function waitUntilUp(url: string, child: ChildProcess, caFile: string | undefined, stderr: () => string): Promise<void> {
  const ca = caFile === undefined ? undefined : execFileSync('cat', [caFile], { encoding: 'utf8' });
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr()}`);
    const up = await new Promise<boolean>((resolve) => {
      const get = url.startsWith('https') ? https.get : http.get;
      const req = get(`${url}/v2/`, { ...(ca ? { ca } : {}) }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopChild(child);
  throw new Error(`docker-registry did not answer at ${url}: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface ProxyServer {
  readonly host: string;
  close(): Promise<void>;
}

/** `intercept` may answer a request itself (return true); everything else goes to `target`. */
export type Interceptor = (req: IncomingMessage, res: ServerResponse) => boolean;
export type BodyRewriter = (req: IncomingMessage, body: Buffer) => Buffer;

export async function startProxy(target: string, intercept: Interceptor = () => false, rewrite: BodyRewriter = (_req, body) => body): Promise<ProxyServer> {
  const server = http.createServer((req, res) => {
    if (intercept(req, res)) return;
    const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = rewrite(req, Buffer.concat(chunks));
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        if (req.method !== 'HEAD') headers['content-length'] = String(body.length);
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
