// Source selection for COPY/ADD: a source path is cleaned inside its tree (`..` never leaves it),
// wildcards (`*`, `?`, `[...]`) match per path component, and --exclude patterns drop entries.
import fs from 'node:fs';
import { posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';

const WILDCARD = /[*?[]/;

/** The source as a path inside its tree: absolute, cleaned, `..` clamped at the root. */
export function cleanSourcePath(source: string): string {
  return posix.normalize(posix.join('/', source));
}

export function hasWildcard(source: string): boolean {
  return WILDCARD.test(source);
}

/** A Go filepath.Match component pattern as a RegExp (no `/` crossing). */
export function componentRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else if (char === '\\' && i + 1 < pattern.length) out += escapeRegExp(pattern[++i]!);
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) throw new TsbuildError('E_STEP', `syntax error in pattern: ${pattern}`);
      const body = pattern.slice(i + 1, close).replace(/^\^/, '!');
      out += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
      i = close;
    } else out += escapeRegExp(char);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Paths (cleaned, absolute inside the tree) that a wildcard source matches, sorted; symlinked dirs are not entered. */
export function expandWildcard(treeDir: string, source: string): string[] {
  let matches = ['/'];
  for (const part of cleanSourcePath(source).split('/').filter((p) => p !== '')) {
    const next: string[] = [];
    for (const base of matches) {
      if (!hasWildcard(part)) {
        next.push(posix.join(base, part));
        continue;
      }
      const regexp = componentRegExp(part);
      for (const name of listDir(posix.join(treeDir, base))) if (regexp.test(name)) next.push(posix.join(base, name));
    }
    matches = next;
  }
  return matches.filter((path) => fs.existsSync(posix.join(treeDir, path)) || isLink(posix.join(treeDir, path))).sort();
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isLink(path: string): boolean {
  try {
    return fs.lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** --exclude patterns (gitignore-like, `**` spans directories) matched against paths relative to the copied tree. */
export class ExcludeMatcher {
  private readonly patterns: { regexp: RegExp; negate: boolean }[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.filter((p) => p.trim() !== '').map((raw) => {
      const negate = raw.startsWith('!');
      const body = posix.normalize((negate ? raw.slice(1) : raw).replace(/^\/+/, ''));
      const parts = body.split('/').map((part) => (part === '**' ? '(?:.*)' : componentRegExp(part).source.slice(1, -1)));
      // `a/**` also matches `a` itself, `**/b` also matches `b`.
      const source = parts.join('/').replace(/\/\(\?:\.\*\)$/, '(?:/.*)?').replace(/^\(\?:\.\*\)\//, '(?:.*/)?');
      return { regexp: new RegExp(`^${source}$`), negate };
    });
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** `relative` has no leading slash. The last matching pattern wins, as in .dockerignore. */
  excludes(relative: string): boolean {
    let excluded = false;
    for (const { regexp, negate } of this.patterns) if (regexp.test(relative)) excluded = !negate;
    return excluded;
  }
}
