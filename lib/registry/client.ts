// The OCI distribution API, one call per method: manifests by tag or digest (verified before
// use), blob existence, downloads, cross-repository mounts, uploads (monolithic or chunked) and
// manifest uploads. Every call goes through the 401 challenge dance once when needed.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { MediaTypes } from '../image/media-types.js';
import { Authorizer, type CredentialSource } from './auth.js';
import { getCredentials } from './credentials.js';
import { RegistryError, describeErrorBody } from './errors.js';
import { readBytes, readText, Transport, type HttpResponse, type TransportOptions } from './transport.js';

export interface RegistryOptions extends TransportOptions {
  /** Where credentials come from; the Docker config files by default. */
  readonly credentials?: CredentialSource;
}

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

interface CallOptions {
  readonly scope: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | (() => Readable);
}

const MANIFEST_LIMIT = 4 << 20;
export const MANIFEST_ACCEPT = [MediaTypes.ociIndex, MediaTypes.dockerManifestList, MediaTypes.ociManifest, MediaTypes.dockerManifest].join(', ');

/** One client for any number of registries: shared connections settings, credentials and tokens. */
export class Registry {
  readonly transport: Transport;
  readonly authorizer: Authorizer;

  constructor(options: RegistryOptions = {}) {
    this.transport = new Transport(options);
    const env = options.env ?? process.env;
    this.authorizer = new Authorizer(this.transport, options.credentials ?? ((domain) => getCredentials(domain, env)));
  }

  /** A repository; `push` asks for push rights on every request (one token for a whole push). */
  repository(domain: string, path: string, access: 'pull' | 'push' = 'pull'): Repository {
    return new Repository(this, domain, path, access);
  }

  /** GET /v2/ with authentication: succeeds when the registry accepts the credentials. */
  async ping(domain: string): Promise<void> {
    const response = await this.call(domain, 'GET', '/v2/', { scope: '' });
    const text = await readText(response);
    if (response.status !== 200) throw statusError(domain, 'GET /v2/', response.status, text);
  }

  /** Sends a request to `domain`, answering one 401 challenge. */
  async call(domain: string, method: string, pathOrUrl: string, options: CallOptions): Promise<HttpResponse> {
    const base = new URL(await this.transport.baseUrl(domain));
    const url = new URL(pathOrUrl, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RegistryError('protocol', `${domain}: the registry sent us to a ${url.protocol.replace(/:$/, '')} URL, which is refused`);
    }
    // A Location on another host, port or scheme (a storage backend, or plain HTTP on the
    // registry's host) does not get our credentials.
    const sameHost = url.origin === base.origin;
    const send = (auth: string | undefined) => this.transport.request({
      method,
      url,
      headers: { ...options.headers, ...(auth && sameHost ? { Authorization: auth } : {}) },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const cached = this.authorizer.cached(domain, options.scope);
    let response = await send(cached);
    if (response.status !== 401 || !sameHost) return response;
    this.authorizer.forget(domain, options.scope);
    response = await send(await this.authorizer.answer(domain, options.scope, response));
    if (response.status === 401) {
      const text = await readText(response).catch(() => '');
      throw new RegistryError('auth', `${domain}: unauthorized: the registry refused the credentials (${describeErrorBody(text) || '401'})`, 401);
    }
    return response;
  }
}

export class Repository {
  constructor(readonly registry: Registry, readonly domain: string, readonly path: string, readonly access: 'pull' | 'push' = 'pull') {}

  /** A manifest or index by tag or digest; its bytes are checked against the digest asked for or announced. */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const response = await this.call('GET', `manifests/${reference}`, 'pull', { Accept: MANIFEST_ACCEPT });
    if (response.status !== 200) throw statusError(this.where(reference), 'GET manifest', response.status, await readText(response).catch(() => ''));
    const bytes = await readBytes(response, MANIFEST_LIMIT);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const expected = reference.includes(':') ? reference : headerValue(response.headers['docker-content-digest']);
    if (expected !== undefined && expected.startsWith('sha256:') && expected !== digest) {
      throw new RegistryError('integrity', `${this.where(reference)}: manifest digest mismatch (expected ${expected}, received ${digest})`);
    }
    const mediaType = headerValue(response.headers['content-type'])?.split(';')[0]?.trim() || (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType || MediaTypes.ociManifest;
    return { bytes, mediaType, digest };
  }

  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.call('HEAD', `blobs/${digest}`, 'pull');
    response.body.resume();
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw statusError(this.where(digest), 'HEAD blob', response.status, '');
  }

  /** The blob's bytes, unverified: callers hash them as they stream (see pull.ts). */
  async openBlob(digest: string): Promise<IncomingMessage> {
    const response = await this.call('GET', `blobs/${digest}`, 'pull');
    if (response.status !== 200) throw statusError(this.where(digest), 'GET blob', response.status, await readText(response).catch(() => ''));
    return response.body;
  }

  /** Asks the registry to link a blob from another repository of the same registry; false when it will not. */
  async mountBlob(digest: string, fromPath: string): Promise<boolean> {
    const scope = `repository:${this.path}:pull,push repository:${fromPath}:pull`;
    const query = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromPath)}`;
    const response = await this.registry.call(this.domain, 'POST', `/v2/${this.path}/blobs/uploads/${query}`, { scope, body: Buffer.alloc(0) });
    response.body.resume();
    if (response.status === 201) return true;
    if (response.status === 202) {
      await this.cancelUpload(response);
      return false;
    }
    throw statusError(this.where(digest), 'POST blob mount', response.status, '');
  }

  /**
   * Uploads a blob: POST opens a session, then one PUT with the whole body (monolithic), or
   * PATCHes of `chunkSize` bytes followed by a closing PUT (chunked). `open(start, end)` reads
   * the bytes [start, end) again for each attempt.
   */
  async uploadBlob(digest: string, size: number, open: (start: number, end: number) => Readable, chunkSize?: number): Promise<void> {
    let location = await this.startUpload();
    if (chunkSize !== undefined && size > chunkSize) {
      for (let start = 0; start < size; start += chunkSize) {
        const end = Math.min(size, start + chunkSize);
        const headers = { 'Content-Type': 'application/octet-stream', 'Content-Range': `${start}-${end - 1}`, 'Content-Length': String(end - start) };
        const response = await this.call('PATCH', location, 'push', headers, () => open(start, end));
        await readText(response).catch(() => '');
        if (response.status !== 202) throw statusError(this.where(digest), 'PATCH blob chunk', response.status, '');
        location = headerValue(response.headers.location) ?? location;
      }
      await this.finishUpload(digest, location, Buffer.alloc(0));
      return;
    }
    await this.finishUpload(digest, location, () => open(0, size), size);
  }

  /** PUT the manifest under a tag (or digest); returns the digest the registry reports. */
  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const response = await this.call('PUT', `manifests/${reference}`, 'push', { 'Content-Type': mediaType }, bytes);
    const text = await readText(response);
    if (response.status !== 201) throw statusError(this.where(reference), 'PUT manifest', response.status, text);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const reported = headerValue(response.headers['docker-content-digest']);
    // distribution-spec: the header MUST equal the pushed content's digest (SECURITY G8).
    if (reported !== undefined && reported !== digest) {
      throw new RegistryError('protocol', `${this.where(reference)}: the registry reports manifest digest ${reported}, but the pushed manifest is ${digest}`);
    }
    return digest;
  }

  private async startUpload(): Promise<string> {
    const response = await this.call('POST', 'blobs/uploads/', 'push', {}, Buffer.alloc(0));
    const text = await readText(response);
    const location = headerValue(response.headers.location);
    if (response.status !== 202 || location === undefined) throw statusError(this.where('upload'), 'POST blob upload', response.status, text);
    return location;
  }

  private async finishUpload(digest: string, location: string, body: Buffer | (() => Readable), size?: number): Promise<void> {
    const url = new URL(location, 'http://placeholder');
    url.searchParams.set('digest', digest);
    const target = /^https?:/.test(location) ? url.href : `${url.pathname}${url.search}`;
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size ?? (Buffer.isBuffer(body) ? body.length : 0)) };
    const response = await this.call('PUT', target, 'push', headers, body);
    const text = await readText(response);
    if (response.status !== 201) throw statusError(this.where(digest), 'PUT blob', response.status, text);
  }

  private async cancelUpload(response: HttpResponse): Promise<void> {
    const location = headerValue(response.headers.location);
    if (location === undefined) return;
    const cancel = await this.call('DELETE', location, 'push').catch(() => undefined);
    cancel?.body.resume();
  }

  /** Calls `/v2/<path>/<rest>`, or a Location the registry returned (absolute, or a path). */
  private call(method: string, rest: string, access: 'pull' | 'push', headers: Record<string, string> = {}, body?: Buffer | (() => Readable)): Promise<HttpResponse> {
    const target = rest.startsWith('/') || /^https?:/.test(rest) ? rest : `/v2/${this.path}/${rest}`;
    const scope = `repository:${this.path}:${access === 'push' || this.access === 'push' ? 'pull,push' : 'pull'}`;
    return this.registry.call(this.domain, method, target, { scope, headers, ...(body !== undefined ? { body } : {}) });
  }

  private where(what: string): string {
    return `${this.domain}/${this.path}${what.startsWith('sha256:') ? '@' : ':'}${what}`;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function statusError(where: string, action: string, status: number, body: string): RegistryError {
  const detail = describeErrorBody(body);
  const failure = status === 404 ? 'not-found' : status === 401 ? 'auth' : status === 403 ? 'denied' : 'protocol';
  const what = status === 404 ? 'not found' : status === 403 ? 'denied' : `answered ${status}`;
  return new RegistryError(failure, `${where}: ${action} ${what}${detail ? ` (${detail})` : ''}`, status);
}
