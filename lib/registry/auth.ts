// Answers registries' 401 challenges: HTTP basic with stored credentials, or the bearer-token
// flow (`WWW-Authenticate: Bearer realm=…,service=…,scope=…`: ask the realm for a token, with
// basic credentials when we have them, anonymously otherwise). Headers are cached per registry
// and scope, so a pull asks for its token once.
import { RegistryError, describeErrorBody } from './errors.js';
import type { Credentials } from './credentials.js';
import { readText, type HttpResponse, type Transport } from './transport.js';

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="…",service="…"` (quoted or token values); several challenges are read in order. */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(', ') : header ?? '';
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let at = 0;
  const skip = (chars: RegExp): void => {
    while (at < text.length && chars.test(text[at]!)) at++;
  };
  while (at < text.length) {
    skip(/[\s,]/);
    const start = at;
    skip(/[^\s,=]/);
    const word = text.slice(start, at);
    if (word === '') break;
    skip(/\s/);
    if (text[at] !== '=') {
      challenges.push({ scheme: word.toLowerCase(), params: {} });
      continue;
    }
    at++;
    skip(/\s/);
    let value = '';
    if (text[at] === '"') {
      for (at++; at < text.length && text[at] !== '"'; at++) value += text[at] === '\\' ? text[++at] ?? '' : text[at];
      at++;
    } else {
      const valueStart = at;
      skip(/[^\s,]/);
      value = text.slice(valueStart, at);
    }
    const last = challenges[challenges.length - 1];
    if (last !== undefined) last.params[word.toLowerCase()] = value;
  }
  return challenges;
}

export type CredentialSource = (domain: string) => Promise<Credentials | undefined>;

export class Authorizer {
  private readonly headers = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly transport: Transport, private readonly credentials: CredentialSource) {}

  /** The Authorization header to send, if one is known for this registry and scope. */
  cached(domain: string, scope: string): string | undefined {
    return this.headers.get(`${domain} ${scope}`) ?? this.headers.get(`${domain} *`);
  }

  /** Works out an Authorization header from a 401 response; throws when nothing can satisfy it. */
  async answer(domain: string, scope: string, response: HttpResponse): Promise<string> {
    const challenges = parseChallenges(response.headers['www-authenticate']);
    response.body.resume();
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    const credentials = await this.credentials(domain);
    if (bearer !== undefined) {
      // Parallel transfers meet the same challenge at once: they share one token request.
      const key = `${domain} ${scope}`;
      let pending = this.pending.get(key);
      if (pending === undefined) {
        pending = this.fetchToken(domain, bearer, scope, credentials).then((token) => `Bearer ${token}`);
        this.pending.set(key, pending);
        void pending.then((header) => this.headers.set(key, header), () => undefined).finally(() => this.pending.delete(key));
      }
      return pending;
    }
    if (challenges.some((challenge) => challenge.scheme === 'basic')) {
      if (credentials === undefined) throw new RegistryError('auth', `${domain}: authentication required (no credentials: run tsbuild login ${domain})`, 401);
      const header = basicHeader(credentials);
      this.headers.set(`${domain} *`, header);
      return header;
    }
    throw new RegistryError('auth', `${domain}: unauthorized, and the registry offers no authentication scheme tsbuild knows (${challenges.map((c) => c.scheme).join(', ') || 'none'})`, 401);
  }

  /** Forgets what was cached for a registry (after the registry refused it). */
  forget(domain: string, scope: string): void {
    this.headers.delete(`${domain} ${scope}`);
    this.headers.delete(`${domain} *`);
  }

  private async fetchToken(domain: string, challenge: Challenge, scope: string, credentials: Credentials | undefined): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError('protocol', `${domain}: bearer challenge without a realm`, 401);
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    // Our scope says what the whole operation needs; the challenge's only what one request did.
    const scopes = scope ? scope.split(' ') : (challenge.params.scope ?? '').split(' ');
    for (const one of scopes.filter(Boolean)) url.searchParams.append('scope', one);
    const headers: Record<string, string> = credentials ? { Authorization: basicHeader(credentials) } : {};
    const response = await this.transport.request({ method: 'GET', url, headers });
    const text = await readText(response);
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError('auth', `${domain}: the token server refused ${credentials ? `the credentials of ${credentials.username}` : 'anonymous access'} (${response.status}${text ? `: ${describeErrorBody(text)}` : ''})`, response.status);
    }
    if (response.status !== 200) throw new RegistryError('protocol', `${domain}: token server ${url.origin} answered ${response.status}: ${describeErrorBody(text)}`, response.status);
    const body = JSON.parse(text) as { token?: string; access_token?: string };
    const token = body.token || body.access_token;
    if (!token) throw new RegistryError('protocol', `${domain}: the token server's answer has no token`, response.status);
    return token;
  }
}

export function basicHeader(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}
