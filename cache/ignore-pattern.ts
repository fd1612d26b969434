// One .dockerignore pattern, matched the way moby/patternmatcher matches it (the library behind
// both BuildKit and the classic builder).
//
// Why not micromatch (installed) or another glob library: Docker's semantics are not a shell's
// or git's. On the 138 patternmatcher conformance cases micromatch agreed on 116: it has no
// `**file` suffix matching (`**file` matches `dir/myfile` in Docker), it treats `a**/` like
// `a*/`, it matches `abc` with `abc/**` (Docker does not), and it accepts every malformed class
// Docker rejects (`[`, `[-x]`, `[a-b-c]`, `[Local-Only]`). Its regular expressions backtrack.
//
// So we translate each pattern exactly as patternmatcher does — into one of four kinds, the
// last being a Go regular expression given as text — and run that text on our own linear-time
// RE2-subset matcher. Keeping the intermediate text identical to upstream's means odd patterns
// (a `*` inside `[...]`, `[!x]` meaning "'!' or 'x'", a raw `^`) behave as they do in Docker.
import { LinearRegexp } from './linear-regexp.js';

/**
 * exact: the path equals the pattern. prefix: `dir/**` (or any literal followed by a final
 * `**`): the path starts with the literal. suffix: a leading `**` followed by literal text: the
 * path ends with it (`**` alone matches everything). regexp: anything else.
 */
export type PatternKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

export interface PatternTranslation {
  readonly kind: PatternKind;
  /** The Go regexp source for kind `regexp` (what patternmatcher would compile). */
  readonly regexp?: string;
}

/** Characters that are literal in a pattern but special in a regexp (moby's escape set). */
const REGEXP_ONLY_SPECIALS = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** patternmatcher's `compile`, for '/' as the separator. `cleaned` is already path-cleaned. */
export function translatePattern(cleaned: string): PatternTranslation {
  const chars = Array.from(cleaned);
  let kind: PatternKind = 'exact';
  let regexp = '^';
  for (let step = 0, at = 0; at < chars.length; step++) {
    const ch = chars[at++];
    if (ch === '*' && chars[at] === '*') {
      at++;
      if (chars[at] === '/') at++; // `**/` is treated as `**`
      if (at < chars.length) {
        regexp += '(.*/)?';
        kind = 'regexp';
      } else if (kind === 'exact') {
        kind = 'prefix';
      } else {
        regexp += '.*';
        kind = 'regexp';
      }
      if (step === 0) kind = 'suffix'; // later wildcards turn it back into a regexp
    } else if (ch === '*' || ch === '?') {
      regexp += ch === '*' ? '[^/]*' : '[^/]';
      kind = 'regexp';
    } else if (REGEXP_ONLY_SPECIALS.has(ch)) {
      regexp += '\\' + ch;
    } else if (ch === '\\') {
      // The escaped character is passed on escaped: its meaning is now the regexp's.
      if (at < chars.length) {
        regexp += '\\' + chars[at++];
        kind = 'regexp';
      } else {
        regexp += '\\';
      }
    } else {
      if (ch === '[' || ch === ']') kind = 'regexp';
      regexp += ch;
    }
  }
  return kind === 'regexp' ? { kind, regexp: regexp + '$' } : { kind };
}

/**
 * A translated pattern, ready to test paths. The regexp is compiled on first use, as upstream
 * does: a pattern that passes the glob syntax check but is not a valid regexp (`[Local-Only]`,
 * whose range `l-O` is backwards) is accepted when the list is built and fails when matching.
 */
export class CompiledPattern {
  readonly translation: PatternTranslation;
  private regexp?: LinearRegexp;

  constructor(readonly cleaned: string) {
    this.translation = translatePattern(cleaned);
  }

  /** Throws RegexpSyntaxError (every time) when the regexp is invalid. */
  matches(path: string): boolean {
    const { kind } = this.translation;
    if (kind === 'exact') return path === this.cleaned;
    if (kind === 'prefix') return path.startsWith(this.cleaned.slice(0, -2));
    if (kind === 'suffix') {
      const suffix = this.cleaned.slice(2);
      return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    return this.compiled().test(path);
  }

  /**
   * The path itself when the pattern matches it, else its shortest parent directory that the
   * pattern matches (upstream's order), else undefined. Throws RegexpSyntaxError like matches.
   */
  firstHit(path: string): string | undefined {
    if (this.translation.kind === 'regexp') {
      const { whole, prefixes } = this.compiled().matchWithPrefixes(path, '/');
      if (whole) return path;
      return prefixes.length > 0 ? path.slice(0, prefixes[0]) : undefined;
    }
    if (this.matches(path)) return path;
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      if (this.matches(path.slice(0, slash))) return path.slice(0, slash);
    }
    return undefined;
  }

  /** Whether this pattern could match some path strictly inside directory `dir`. */
  mayMatchInside(dir: string): boolean {
    const prefix = dir + '/';
    const { kind } = this.translation;
    if (kind === 'exact') return this.cleaned.startsWith(prefix);
    if (kind === 'prefix') {
      const literal = this.cleaned.slice(0, -2);
      return literal.startsWith(prefix) || prefix.startsWith(literal);
    }
    if (kind === 'suffix') return true;
    return this.compiled().canMatchBeyond(prefix);
  }

  private compiled(): LinearRegexp {
    this.regexp ??= LinearRegexp.compile(this.translation.regexp!);
    return this.regexp;
  }
}
