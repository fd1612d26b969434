// Go's `path.Match` on '/'-separated names. Two Docker behaviours rest on it:
// - COPY/ADD wildcard sources (`COPY src/*.js /app/`) are matched with it, one walk below the
//   last literal directory (fsutil's copy.ResolveWildcards);
// - every .dockerignore pattern must pass its syntax check, or the pattern list is rejected
//   (moby/patternmatcher calls `filepath.Match(pattern, ".")` for that).
// The syntax: `*` (any run of non-'/' characters), `?` (one non-'/' character), `[...]` and
// `[^...]` classes with ranges, `\` escaping the next character. Matching walks each chunk at
// most once per starting position, so time is O(pattern × name), with no backtracking blow-up.

/** The pattern is malformed (Go's `filepath.ErrBadPattern`). */
export class GlobSyntaxError extends Error {
  constructor(readonly pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}`);
    this.name = 'GlobSyntaxError';
  }
}

/** A chunk is a run of pattern characters after an optional run of stars. */
interface Chunk {
  readonly star: boolean;
  readonly start: number;
  readonly end: number;
}

/** Reports whether `name` matches `pattern`; throws GlobSyntaxError for a malformed pattern. */
export function globMatch(pattern: string, name: string): boolean {
  const pat = Array.from(pattern);
  const text = Array.from(name);
  let position = 0;
  let offset = 0;
  nextChunk: while (position < pat.length) {
    const chunk = scanChunk(pat, position);
    position = chunk.end;
    if (chunk.star && chunk.start === chunk.end) return !text.slice(offset).includes('/');
    const isLast = position >= pat.length;
    const direct = matchChunk(pattern, pat, chunk, text, offset);
    if (direct >= 0 && (direct === text.length || !isLast)) {
      offset = direct;
      continue;
    }
    if (chunk.star) {
      // The star may swallow more characters, but never a '/'.
      for (let i = offset; i < text.length && text[i] !== '/'; i++) {
        const rest = matchChunk(pattern, pat, chunk, text, i + 1);
        if (rest < 0 || (isLast && rest < text.length)) continue;
        offset = rest;
        continue nextChunk;
      }
    }
    checkRemainingChunks(pattern, pat, position);
    return false;
  }
  return offset === text.length;
}

/** Reports whether the pattern is well-formed Go `path.Match` syntax. */
export function isGlobSyntaxValid(pattern: string): boolean {
  try {
    globMatch(pattern, '.');
    return true;
  } catch (error) {
    if (error instanceof GlobSyntaxError) return false;
    throw error;
  }
}

/**
 * Whether one path component contains a wildcard (`*`, `?` or `[`); an escaped character does
 * not count. Decides where fsutil splits a COPY source into a literal part and a pattern part.
 */
export function hasGlobWildcards(component: string): boolean {
  for (let i = 0; i < component.length; i++) {
    const ch = component[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

/** Go reports a syntax error even when matching fails early, so the tail is checked too. */
function checkRemainingChunks(pattern: string, pat: readonly string[], from: number): void {
  let position = from;
  while (position < pat.length) {
    const chunk = scanChunk(pat, position);
    position = chunk.end;
    matchChunk(pattern, pat, chunk, [], 0);
  }
}

function scanChunk(pat: readonly string[], from: number): Chunk {
  let start = from;
  while (start < pat.length && pat[start] === '*') start++;
  let inRange = false;
  let end = start;
  for (; end < pat.length; end++) {
    const ch = pat[end];
    if (ch === '\\') {
      if (end + 1 < pat.length) end++;
    } else if (ch === '[') {
      inRange = true;
    } else if (ch === ']') {
      inRange = false;
    } else if (ch === '*' && !inRange) {
      break;
    }
  }
  return { star: start > from, start, end };
}

/**
 * Matches one chunk at `offset`; returns the offset after it, or -1. After a mismatch it keeps
 * parsing the chunk (without reading the name) so that syntax errors are always reported.
 */
function matchChunk(pattern: string, pat: readonly string[], chunk: Chunk, text: readonly string[], offset: number): number {
  let failed = false;
  let at = offset;
  let i = chunk.start;
  while (i < chunk.end) {
    if (!failed && at >= text.length) failed = true;
    const ch = pat[i];
    if (ch === '[') {
      const subject = failed ? -1 : text[at++].codePointAt(0)!;
      const cls = matchClass(pattern, pat, i + 1, chunk.end, subject);
      i = cls.next;
      if (!cls.matched) failed = true;
    } else if (ch === '?') {
      if (!failed && text[at++] === '/') failed = true;
      i++;
    } else {
      let literal = ch;
      if (ch === '\\') {
        i++;
        if (i >= chunk.end) throw new GlobSyntaxError(pattern);
        literal = pat[i];
      }
      if (!failed && text[at++] !== literal) failed = true;
      i++;
    }
  }
  return failed ? -1 : at;
}

/** Parses a class starting after its '['; `subject` is the code point to test (-1: none). */
function matchClass(pattern: string, pat: readonly string[], from: number, end: number, subject: number) {
  let i = from;
  let negated = false;
  if (i < end && pat[i] === '^') {
    negated = true;
    i++;
  }
  let inClass = false;
  for (let ranges = 0; ; ranges++) {
    if (i < end && pat[i] === ']' && ranges > 0) return { next: i + 1, matched: inClass !== negated };
    const lo = classChar(pattern, pat, i, end);
    let hi = lo;
    i = lo.next;
    if (pat[i] === '-') {
      hi = classChar(pattern, pat, i + 1, end);
      i = hi.next;
    }
    if (lo.codePoint <= subject && subject <= hi.codePoint) inClass = true;
  }
}

/** One class character (Go's getEsc): never a bare '-' or ']', and never the chunk's end. */
function classChar(pattern: string, pat: readonly string[], from: number, end: number) {
  let i = from;
  if (i >= end || pat[i] === '-' || pat[i] === ']') throw new GlobSyntaxError(pattern);
  if (pat[i] === '\\') {
    i++;
    if (i >= end) throw new GlobSyntaxError(pattern);
  }
  const codePoint = pat[i].codePointAt(0)!;
  i++;
  if (i >= end) throw new GlobSyntaxError(pattern);
  return { codePoint, next: i };
}
