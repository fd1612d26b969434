// Git references as ADD sources and build contexts, told apart from URLs and paths the way
// BuildKit's dfgitutil does: `https://host/repo.git[#ref[:subdir]]`, `git://...`, `git@host:path`,
// `ssh://...`, and the deprecated scheme-less `github.com/owner/repo`. Query parameters (`?ref=`,
// `?tag=`, `?branch=`, `?subdir=`, ...) are an alternative to the `#ref:subdir` fragment.
import { parseGoBool } from './go-strconv.js';
import { goQuote } from './syntax-dump.js';

export interface GitRef {
  /** The repository URL without fragment or query, as given to `git`. */
  readonly remote: string;
  /** The repository's directory name (`bar` for `.../bar.git`). */
  readonly shortName: string;
  /** A commit, tag or branch (`refs/tags/v1` for `?tag=v1`); empty for the default branch. */
  readonly ref: string;
  /** A directory inside the repository; empty for its root. */
  readonly subDir: string;
  /** The expected commit (`?checksum=` / `?commit=`). */
  readonly checksum: string;
  /** `checkout` or `commit` when `?mtime=` was given. */
  readonly mtime: string;
  /** `git://` and `http://`: the transfer is not encrypted. */
  readonly unencryptedTCP: boolean;
  /** `github.com/owner/repo` with no scheme: valid only as a build context, not as an ADD source. */
  readonly indistinguishableFromLocal: boolean;
  readonly fetchByCommit: boolean;
  readonly keepGitDir?: boolean;
  readonly submodules?: boolean;
}

/** The outcome: not Git at all, Git but malformed (`error`), or a reference. */
export type GitRefResult =
  | { readonly isGit: false; readonly error?: string }
  | { readonly isGit: true; readonly error: string }
  | { readonly isGit: true; readonly ref: GitRef };

interface SplitUrl {
  readonly remote: string;
  readonly path: string;
  readonly query: string;
  readonly fragment: string;
  readonly scheme: string;
}

const SUPPORTED_SCHEMES = new Set(['http', 'https', 'ssh', 'git']);
const SCHEME_PREFIX = /^[a-zA-Z0-9]+:\/\//;
const SCP_STYLE = /^([a-zA-Z0-9\-_]+)@([a-zA-Z0-9\-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$/;

/** Splits `scheme://authority/path?query#fragment` without normalising anything. */
function splitUrl(text: string, scheme: string): SplitUrl {
  const hash = text.indexOf('#');
  const fragment = hash < 0 ? '' : text.slice(hash + 1);
  const beforeFragment = hash < 0 ? text : text.slice(0, hash);
  const question = beforeFragment.indexOf('?');
  const query = question < 0 ? '' : beforeFragment.slice(question + 1);
  const remote = question < 0 ? beforeFragment : beforeFragment.slice(0, question);
  const afterScheme = remote.indexOf('://');
  const rest = afterScheme < 0 ? remote : remote.slice(afterScheme + 3);
  const slash = rest.indexOf('/');
  return { remote, path: slash < 0 ? '' : rest.slice(slash), query, fragment, scheme };
}

/** Go's path.Join("/", subdir) without the leading slash: `a/../b/` becomes `b`. */
function cleanSubdir(subdir: string): string {
  const parts: string[] = [];
  for (const part of subdir.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** `ref[:subdir]` from a fragment. */
function fragmentParts(fragment: string): { ref: string; subDir: string } {
  if (fragment === '') return { ref: '', subDir: '' };
  const colon = fragment.indexOf(':');
  if (colon < 0) return { ref: fragment, subDir: '' };
  return { ref: fragment.slice(0, colon), subDir: cleanSubdir(fragment.slice(colon + 1)) };
}

/** Finds the scheme-ful, scp-style or github.com form; undefined when `text` is none of them. */
function locateRemote(text: string): { url: SplitUrl; fromGithubShorthand: boolean } | { error: string } | undefined {
  if (text.startsWith('./') || text.startsWith('../')) return undefined;
  if (text.startsWith('github.com/')) return { url: splitUrl(text, 'https'), fromGithubShorthand: true };
  const prefix = SCHEME_PREFIX.exec(text)?.[0];
  if (prefix !== undefined) {
    const scheme = prefix.slice(0, -3).toLowerCase();
    if (!SUPPORTED_SCHEMES.has(scheme)) return { error: `${scheme}: invalid protocol` };
    return { url: splitUrl(text, scheme), fromGithubShorthand: false };
  }
  const scp = SCP_STYLE.exec(text);
  if (!scp) return undefined;
  const [, user, host, path, query, fragment] = scp;
  const url = { remote: `${user}@${host}:${path}`, path: path!, query: query ?? '', fragment: fragment ?? '', scheme: 'ssh' };
  return { url, fromGithubShorthand: false };
}

/** Parses a Git reference. See GitRefResult for the three outcomes. */
export function parseGitRef(text: string): GitRefResult {
  const located = locateRemote(text);
  if (located === undefined) return { isGit: false };
  if ('error' in located) return { isGit: false, error: located.error };
  const { url, fromGithubShorthand } = located;
  if ((url.scheme === 'http' || url.scheme === 'https') && !fromGithubShorthand && !url.path.endsWith('.git')) {
    return { isGit: false };
  }
  const segments = url.remote.split('/');
  const base = {
    remote: url.remote,
    shortName: segments[segments.length - 1]!.replace(/\.git$/, ''),
    ...fragmentParts(url.fragment),
    checksum: '',
    mtime: '',
    unencryptedTCP: url.scheme === 'http' || url.scheme === 'git',
    indistinguishableFromLocal: fromGithubShorthand,
    fetchByCommit: false,
  };
  try {
    return { isGit: true, ref: applyQuery(base, url.query) };
  } catch (error) {
    return { isGit: true, error: (error as Error).message };
  }
}

type MutableGitRef = { -readonly [K in keyof GitRef]: GitRef[K] };

/** Go's url.ParseQuery: `&`-separated `key=value`, percent- and `+`-decoded, in order. */
function queryPairs(query: string): [string, string | undefined][] {
  if (query === '') return [];
  const decode = (value: string): string => {
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return value;
    }
  };
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals < 0 ? [decode(pair), undefined] : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
    });
}

const FLAG_KEYS = new Set(['submodules', 'keep-git-dir', 'fetch-by-commit']);

/** A flag-like key: bare (`?submodules`) means true. */
function readQueryBool(key: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw new Error(`invalid ${key} value: ${goQuote(value)}`);
  return parsed;
}

/** Groups repeated keys, as url.Values does, and rejects empty or repeated values. */
function queryValues(query: string): Map<string, string | undefined> {
  const grouped = new Map<string, (string | undefined)[]>();
  for (const [key, value] of queryPairs(query)) grouped.set(key, [...(grouped.get(key) ?? []), value ?? '']);
  const values = new Map<string, string | undefined>();
  for (const [key, list] of grouped) {
    if (list.length > 1) throw new Error(`query ${goQuote(key)} has multiple values`);
    const value = list[0];
    if (value === '' && !FLAG_KEYS.has(key)) throw new Error(`query ${goQuote(key)} has no value`);
    values.set(key, value === '' ? undefined : value);
  }
  return values;
}

function setRef(ref: MutableGitRef, value: string): void {
  if (ref.ref !== '' && ref.ref !== value) throw new Error(`ref conflicts: ${goQuote(ref.ref)} vs ${goQuote(value)}`);
  ref.ref = value;
}

function applyQueryValue(ref: MutableGitRef, key: string, value: string | undefined, named: { tag: string; branch: string }): void {
  const text = value ?? '';
  switch (key) {
    case 'ref': setRef(ref, text); return;
    case 'tag': named.tag = text; return;
    case 'branch': named.branch = text; return;
    case 'subdir':
      if (ref.subDir !== '' && ref.subDir !== text) throw new Error(`subdir conflicts: ${goQuote(ref.subDir)} vs ${goQuote(text)}`);
      ref.subDir = text;
      return;
    case 'checksum': case 'commit': ref.checksum = text; return;
    case 'keep-git-dir': ref.keepGitDir = readQueryBool(key, value); return;
    case 'submodules': ref.submodules = readQueryBool(key, value); return;
    case 'fetch-by-commit': ref.fetchByCommit = readQueryBool(key, value); return;
    case 'mtime':
      if (text !== 'checkout' && text !== 'commit') throw new Error(`invalid mtime value: ${goQuote(text)} (must be "checkout" or "commit")`);
      ref.mtime = text;
      return;
    default: throw new Error(`unexpected query ${goQuote(key)}`);
  }
}

function applyQuery(base: GitRef, query: string): GitRef {
  const ref: MutableGitRef = { ...base };
  const named = { tag: '', branch: '' };
  for (const [key, value] of queryValues(query)) applyQueryValue(ref, key, value, named);
  if (named.tag !== '') setRef(ref, named.tag.startsWith('refs/tags/') ? named.tag : `refs/tags/${named.tag}`);
  if (named.branch !== '') {
    if (named.tag !== '') throw new Error('branch conflicts with tag');
    setRef(ref, named.branch.startsWith('refs/heads/') ? named.branch : `refs/heads/${named.branch}`);
  }
  return ref;
}

/**
 * The reference in `URL#ref[:subdir]` form, or the input unchanged with ok false when it is not a
 * valid Git reference (BuildKit's FragmentFormat).
 */
export function gitFragmentFormat(text: string, withSubdir: boolean): { value: string; ok: boolean } {
  const parsed = parseGitRef(text);
  if (!parsed.isGit || !('ref' in parsed)) return { value: text, ok: false };
  const { remote, ref, subDir } = parsed.ref;
  const subdir = withSubdir ? cleanSubdir(subDir) : '';
  if (ref === '' && subdir === '') return { value: remote, ok: true };
  return { value: `${remote}#${ref}${subdir !== '' ? `:${subdir}` : ''}`, ok: true };
}

/** Whether `source` parses as a Git reference (including the scheme-less `github.com/...` form). */
export function isGitSource(source: string): boolean {
  const parsed = parseGitRef(source);
  return parsed.isGit && 'ref' in parsed;
}

export type AddSource = { readonly kind: 'git'; readonly ref: GitRef } | { readonly kind: 'http' } | { readonly kind: 'local' };

/**
 * What an ADD/COPY source is, as BuildKit's copy step decides: a Git repository (the scheme-less
 * `github.com/...` form counts as a local path here), an HTTP(S) download, or a context path.
 * Throws for a reference that is Git but malformed (`?tag=a&branch=b`).
 */
export function classifyAddSource(source: string): AddSource {
  const parsed = parseGitRef(source);
  if (parsed.isGit && 'error' in parsed) throw new Error(parsed.error);
  if (parsed.isGit && 'ref' in parsed && !parsed.ref.indistinguishableFromLocal) return { kind: 'git', ref: parsed.ref };
  return isHttpSource(source) ? { kind: 'http' } : { kind: 'local' };
}

/** An ADD/COPY source that is an HTTP(S) download (a `.git` URL is a repository instead). */
export function isHttpSource(source: string): boolean {
  return (source.startsWith('http://') || source.startsWith('https://')) && !isGitSource(source);
}
