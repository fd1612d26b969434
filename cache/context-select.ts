// Which context entries a COPY/ADD source selects, the way BuildKit's file copy does it, over
// the context as the build sees it (ignored files are simply not there):
// - the source is context-relative: a leading `/` and `..` above the root are dropped;
// - wildcards use Go's path.Match (`*` and `?` stop at `/`): the source is split at its first
//   component with a wildcard, the part before is resolved, the part after is matched against
//   paths below it, and a matching directory is taken whole (fsutil ResolveWildcards);
// - each selected source is followed through symlinks *inside the context* (an absolute target
//   counts from the context root, `..` stops at the root), so `COPY link /` copies what the
//   link points to in the context, never a host file; symlinks below a copied folder stay links;
// - `--exclude` patterns (Docker's .dockerignore syntax) apply to paths relative to each
//   selected source, whose own name is never excluded (fsutil copy).
import { TsbuildError } from '../lib/errors.js';
import { joinContextPath, toContextPath } from './context-path.js';
import { walkVisible, type ContextEntry, type VisibilityRule, type WalkSource, type WalkedEntry } from './context-walk.js';
import { PatternMatcher } from './dockerignore.js';
import { globMatch, hasGlobWildcards } from './go-glob.js';

/** containerd's RootPath limit on symlinks followed while resolving one path. */
const MAX_SYMLINK_HOPS = 255;

/** The part of a build context that selection reads. */
export interface ContextView {
  entry(path: string): ContextEntry | undefined;
  children(dir: string): readonly string[];
  explain(path: string): { readonly matched: boolean; readonly summary: string };
}

export interface SelectOptions {
  /** `COPY --exclude` patterns. */
  readonly exclude?: readonly string[];
  /** Follow a selected source that is a symlink (inside the context). Default true, as COPY. */
  readonly followSymlinks?: boolean;
}

export interface SelectedSource {
  /** The context path that matched the source, before following symlinks. */
  readonly matched: string;
  /** The context path actually taken, after following symlinks inside the context. */
  readonly resolved: string;
  /** The source itself (the context root's entry for `.`). */
  readonly root: ContextEntry;
  /** The source (path `''`) and, for a folder, what is below it, relative to the source. */
  readonly entries: readonly WalkedEntry[];
}

/** Throws E_NOT_FOUND when nothing matches, E_CONTEXT for bad --exclude patterns. */
export async function selectSources(view: ContextView, source: string, options: SelectOptions = {}): Promise<SelectedSource[]> {
  const exclude = options.exclude?.length ? PatternMatcher.create(options.exclude, '--exclude') : undefined;
  const follow = options.followSymlinks ?? true;
  const matches = await expandWildcards(view, source);
  const selected: SelectedSource[] = [];
  for (const matched of matches) {
    const resolved = resolveInContext(view, matched, follow);
    const root = view.entry(resolved);
    if (root === undefined) throw notFound(view, source, matched);
    const entries = root.type === 'dir' ? await walkBelow(view, resolved, exclude) : [{ path: '', entry: root }];
    selected.push({ matched, resolved, root, entries });
  }
  return selected;
}

/**
 * Resolves `path` inside the context (containerd's RootPath rules): each symlink met on the way
 * is replaced by its target, read relative to the link's folder or, when absolute, to the
 * context root; `..` never climbs above the root. The last element is followed only if asked.
 */
export function resolveInContext(view: ContextView, path: string, followLast: boolean): string {
  const resolved: string[] = [];
  const pending = path.split('/').filter((element) => element !== '').reverse();
  for (let hops = 0; pending.length > 0; ) {
    const element = pending.pop()!;
    if (element === '.') continue;
    if (element === '..') {
      resolved.pop();
      continue;
    }
    const entry = view.entry([...resolved, element].join('/'));
    if (entry?.type !== 'symlink' || (pending.length === 0 && !followLast)) {
      resolved.push(element);
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) throw new TsbuildError('E_CONTEXT', `${path}: too many levels of symbolic links`);
    const target = entry.linkTarget ?? '';
    if (target.startsWith('/')) resolved.length = 0;
    pending.push(...target.split('/').filter((element) => element !== '').reverse());
  }
  return resolved.join('/');
}

/** The context paths a source names: itself, or what its wildcards match (in walk order). */
async function expandWildcards(view: ContextView, source: string): Promise<string[]> {
  const path = toContextPath(source);
  const elements = path === '' ? [] : path.split('/');
  const firstWildcard = elements.findIndex(hasGlobWildcards);
  if (firstWildcard < 0) return [path];
  const base = resolveInContext(view, elements.slice(0, firstWildcard).join('/'), true);
  const pattern = elements.slice(firstWildcard).join('/');
  const matches: string[] = [];
  collectMatches(view, base, '', pattern, matches);
  if (matches.length === 0) throw notFound(view, source, path);
  return matches;
}

function collectMatches(view: ContextView, base: string, below: string, pattern: string, out: string[]): void {
  for (const name of view.children(joinContextPath(base, below))) {
    const relative = joinContextPath(below, name);
    const path = joinContextPath(base, relative);
    if (globMatchQuietly(pattern, relative)) {
      out.push(path); // a matching folder is taken whole: no need to look inside
    } else if (view.entry(path)?.type === 'dir') {
      collectMatches(view, base, relative, pattern, out);
    }
  }
}

/** Upstream ignores a malformed wildcard: it just matches nothing. */
function globMatchQuietly(pattern: string, name: string): boolean {
  try {
    return globMatch(pattern, name);
  } catch {
    return false;
  }
}

function walkBelow(view: ContextView, dir: string, exclude: PatternMatcher | undefined): Promise<WalkedEntry[]> {
  const below: WalkSource = {
    readdir: async (path) => [...view.children(joinContextPath(dir, path))],
    lstat: async (path) => {
      const entry = view.entry(joinContextPath(dir, path));
      if (entry === undefined) throw Object.assign(new Error(`${path} vanished`), { code: 'ENOENT' });
      return entry;
    },
  };
  const rules: VisibilityRule[] = exclude ? [{ matcher: exclude, keep: 'unmatched' }] : [];
  return walkVisible(below, rules).then((walked) => [{ path: '', entry: view.entry(dir)! }, ...walked]);
}

function notFound(view: ContextView, source: string, path: string): TsbuildError {
  const ignored = path === '' ? undefined : view.explain(path);
  const hint = ignored?.matched ? `; it is ${ignored.summary}` : '';
  return new TsbuildError('E_NOT_FOUND', `${JSON.stringify(source)}: not found in the build context${hint}`);
}
