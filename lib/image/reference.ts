// Image references as Docker reads them (the distribution/reference grammar with Docker's
// normalisation): `nginx` is `docker.io/library/nginx:latest`, `localhost/busybox:test` stays as
// it is, `name@sha256:…` names a manifest by digest. `familiar` is the short form Docker prints.
import { UsageError } from '../errors.js';

export interface ImageReference {
  /** `docker.io`, `localhost`, `registry.example:5000`. */
  readonly domain: string;
  /** The path after the domain: `library/nginx`, `busybox`. */
  readonly path: string;
  /** `domain/path`. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const PATH = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HEX_ID = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

export const DEFAULT_DOMAIN = 'docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

/** Parses and normalises a reference; throws UsageError with Docker's wording when it is invalid. */
export function parseReference(text: string): ImageReference {
  if (HEX_ID.test(text)) throw invalid(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  const at = text.indexOf('@');
  const digest = at === -1 ? undefined : text.slice(at + 1);
  const named = at === -1 ? text : text.slice(0, at);
  if (digest !== undefined && !DIGEST.test(digest)) throw invalid('invalid reference format');
  const { remote, tag } = splitTag(named);
  if (tag !== undefined && !TAG.test(tag)) throw invalid('invalid reference format');
  const { domain, path } = splitDomain(remote);
  if (path.toLowerCase() !== path) throw invalid(`invalid reference format: repository name (${path}) must be lowercase`);
  if (!PATH.test(path) || !DOMAIN.test(domain)) throw invalid('invalid reference format');
  const name = `${domain}/${path}`;
  if (name.length > NAME_TOTAL_LENGTH_MAX) throw invalid(`invalid reference format: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  return { domain, path, name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Adds `:latest` when the reference has neither tag nor digest (Docker's TagNameOnly). */
export function withDefaultTag(reference: ImageReference): ImageReference {
  return reference.tag === undefined && reference.digest === undefined ? { ...reference, tag: 'latest' } : reference;
}

/** `docker.io/library/nginx:latest`. */
export function formatReference(reference: ImageReference): string {
  return `${reference.name}${reference.tag !== undefined ? `:${reference.tag}` : ''}${reference.digest !== undefined ? `@${reference.digest}` : ''}`;
}

/** The repository as Docker shows it: `nginx`, `user/app`, `localhost/busybox`. */
export function familiarName(reference: Pick<ImageReference, 'domain' | 'path'>): string {
  if (reference.domain !== DEFAULT_DOMAIN) return `${reference.domain}/${reference.path}`;
  const rest = reference.path.startsWith(OFFICIAL_REPO_PREFIX) ? reference.path.slice(OFFICIAL_REPO_PREFIX.length) : reference.path;
  return rest.includes('/') ? reference.path : rest;
}

/** `nginx:latest`, `localhost/busybox:test`, `nginx@sha256:…`. */
export function familiarString(reference: ImageReference): string {
  return `${familiarName(reference)}${reference.tag !== undefined ? `:${reference.tag}` : ''}${reference.digest !== undefined ? `@${reference.digest}` : ''}`;
}

/** A tag reference in full form, for the store's keys: `docker.io/library/nginx:latest`. */
export function normalizeTagName(text: string): string {
  const reference = withDefaultTag(parseReference(text));
  if (reference.digest !== undefined) throw invalid(`refusing to create a tag with a digest reference: ${text}`);
  return formatReference(reference);
}

function splitTag(named: string): { remote: string; tag?: string } {
  const colon = named.lastIndexOf(':');
  if (colon === -1 || named.indexOf('/', colon) !== -1) return { remote: named };
  return { remote: named.slice(0, colon), tag: named.slice(colon + 1) };
}

/** Docker's rule: the first component is a domain only if it has a dot or a port, or is `localhost`. */
function splitDomain(remote: string): { domain: string; path: string } {
  const slash = remote.indexOf('/');
  const first = slash === -1 ? '' : remote.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let path = remote;
  if (slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    path = remote.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  return { domain, path };
}

function invalid(message: string): UsageError {
  return new UsageError(message);
}
