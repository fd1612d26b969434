// HTTP(S) to registries over node's http/https: the scheme a registry speaks, trusted CAs,
// redirects (blob downloads often go to another host, which must not see our credentials) and
// retries with backoff when a server answers 5xx or a connection breaks.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { RegistryError } from './errors.js';

export interface TransportOptions {
  /** PEM files of extra CAs to trust besides the system's (also `TSBUILD_REGISTRY_CA_FILES`, `:`-separated). */
  readonly caFiles?: readonly string[];
  /** Registries (host[:port]) that may be spoken to over plain HTTP, besides localhost. */
  readonly insecureRegistries?: readonly string[];
  /**
   * Docker's per-registry CA folder: `<certsDir>/<host[:port]>/*.crt` are trusted for that registry
   * only. Default `$TSBUILD_REGISTRY_CERTS_DIR`, else `/etc/docker/certs.d`.
   */
  readonly certsDir?: string;
  /** Attempts after the first one for a 5xx or a broken connection. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** A connection silent for this long is broken off (default 60 s). */
  readonly idleTimeoutMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** A Buffer, or a factory so a retry can send the body again. */
  readonly body?: Buffer | (() => Readable);
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly url: URL;
  readonly body: IncomingMessage;
}

const RETRYABLE_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNABORTED', 'EAI_AGAIN']);
const MAX_REDIRECTS = 5;

export class Transport {
  private readonly ca: string[];
  private readonly schemes = new Map<string, Promise<string>>();
  private readonly insecure: ReadonlySet<string>;
  private readonly certsDir: string;
  private readonly hostCa = new Map<string, string[]>();

  constructor(readonly options: TransportOptions = {}) {
    const env = options.env ?? process.env;
    const files = [...(options.caFiles ?? []), ...(env.TSBUILD_REGISTRY_CA_FILES ?? '').split(':').filter(Boolean)];
    this.ca = [...rootCertificates, ...files.map((file) => readFileSync(file, 'utf8'))];
    this.insecure = new Set(options.insecureRegistries ?? []);
    this.certsDir = options.certsDir ?? (env.TSBUILD_REGISTRY_CERTS_DIR || '/etc/docker/certs.d');
  }

  /** `https://host` or, for localhost and insecure registries that do not speak TLS, `http://host`. */
  baseUrl(domain: string): Promise<string> {
    let scheme = this.schemes.get(domain);
    if (scheme === undefined) {
      scheme = this.probeScheme(domain);
      this.schemes.set(domain, scheme);
      scheme.catch(() => this.schemes.delete(domain));
    }
    return scheme;
  }

  isInsecure(domain: string): boolean {
    const host = domain.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return host === 'localhost' || /^127\./.test(host) || host === '::1' || this.insecure.has(domain) || this.insecure.has(host);
  }

  /** Sends a request, following redirects and retrying what is safe to retry. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await this.followRedirects(request);
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        if (attempt < retries && RETRYABLE_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) {
          await this.backoff(attempt);
          continue;
        }
        throw new RegistryError('network', `${request.method} ${request.url.origin}${request.url.pathname}: ${(error as Error).message}`, undefined, { cause: error });
      }
      if (response.status >= 500 && response.status !== 501 && attempt < retries) {
        response.body.resume();
        await this.backoff(attempt);
        continue;
      }
      return response;
    }
  }

  private async followRedirects(request: HttpRequest): Promise<HttpResponse> {
    let current = request;
    for (let hop = 0; ; hop++) {
      const response = await this.send(current);
      const location = response.headers.location;
      const redirect = [301, 302, 303, 307, 308].includes(response.status) && location !== undefined;
      if (!redirect || hop >= MAX_REDIRECTS || (current.method !== 'GET' && current.method !== 'HEAD')) return response;
      response.body.resume();
      const url = new URL(location, current.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new RegistryError('protocol', `${request.url.host}: a redirect to a ${url.protocol.replace(/:$/, '')} URL is refused`);
      }
      const headers = { ...current.headers };
      // Storage backends get signed URLs; our registry credentials stay with the registry's origin.
      if (url.origin !== request.url.origin) delete headers.Authorization;
      current = { method: current.method, url, headers };
    }
  }

  private send(request: HttpRequest): Promise<HttpResponse> {
    const secure = request.url.protocol === 'https:';
    const body = typeof request.body === 'function' ? request.body() : request.body;
    return new Promise((resolve, reject) => {
      const options = { method: request.method, headers: { ...request.headers }, ...(secure ? { ca: this.caFor(request.url.host) } : {}) };
      if (Buffer.isBuffer(body)) options.headers['Content-Length'] = String(body.length);
      const req = (secure ? https : http).request(request.url, options, (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, url: request.url, body: res }));
      // An idle connection (before or during the answer) is broken off and counts as retryable.
      req.setTimeout(this.options.idleTimeoutMs ?? 60_000, () => req.destroy(Object.assign(new Error('connection idle for too long'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        body.on('error', (error) => req.destroy(error));
        body.pipe(req);
      }
    });
  }

  /** The CAs trusted for one host: the shared ones plus its certs.d folder's `*.crt`. */
  private caFor(host: string): string[] {
    let ca = this.hostCa.get(host);
    if (ca === undefined) {
      const dir = join(this.certsDir, host);
      const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.crt')).sort() : [];
      ca = files.length === 0 ? this.ca : [...this.ca, ...files.map((name) => readFileSync(join(dir, name), 'utf8'))];
      this.hostCa.set(host, ca);
    }
    return ca;
  }

  private async probeScheme(domain: string): Promise<string> {
    const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
    if (!this.isInsecure(domain)) return `https://${host}`;
    // Docker's order for insecure registries: HTTPS first, plain HTTP when TLS does not answer.
    try {
      const response = await this.send({ method: 'GET', url: new URL(`https://${host}/v2/`) });
      response.body.resume();
      return `https://${host}`;
    } catch (error) {
      // A certificate we do not trust still means the server speaks TLS: stay on HTTPS so the
      // request fails with the certificate error instead of silently going plain.
      if (/CERT|SELF_SIGNED|UNABLE_TO_|ALTNAME/.test((error as NodeJS.ErrnoException).code ?? '')) return `https://${host}`;
      return `http://${host}`;
    }
  }

  private backoff(attempt: number): Promise<void> {
    const delay = (this.options.retryDelayMs ?? 200) * 2 ** attempt;
    return new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Reads a response body as text, up to `limit` bytes (error bodies and small JSON). */
export async function readText(response: HttpResponse, limit = 1 << 20): Promise<string> {
  return (await readBytes(response, limit)).toString('utf8');
}

export async function readBytes(response: HttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.body.destroy();
      throw new RegistryError('protocol', `${response.url.href}: response larger than ${limit} bytes`, response.status);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
