// Path strings inside a build context: always '/'-separated and relative to the context root.
// Docker's tools are written in Go, so cleaning and ordering follow Go's rules (path.Clean, byte
// order of UTF-8 names) rather than Node's path.posix.normalize and UTF-16 string order.

/**
 * Go's `path.Clean`: collapse repeated slashes, drop `.` elements, resolve `..` against the
 * element before it, keep leading `..` of relative paths, never return an empty string.
 * Differs from `path.posix.normalize` in the details that matter for patterns: `a/` → `a`,
 * `./a` → `a`, `` → `.`, `/..` → `/`.
 */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const kept: string[] = [];
  for (const element of path.split('/')) {
    if (element === '' || element === '.') continue;
    if (element !== '..') {
      kept.push(element);
    } else if (kept.length > 0 && kept[kept.length - 1] !== '..') {
      kept.pop();
    } else if (!rooted) {
      kept.push('..');
    }
  }
  const body = kept.join('/');
  if (rooted) return '/' + body;
  return body === '' ? '.' : body;
}

/**
 * A COPY/ADD source or a path asked about by the user, made context-relative the way BuildKit
 * does it: a leading `/` and any `..` that would climb above the root are dropped
 * (`../x` → `x`, `/etc/passwd` → `etc/passwd`). The root itself is `''`.
 */
export function toContextPath(path: string): string {
  const cleaned = cleanPath('/' + path);
  return cleaned === '/' ? '' : cleaned.slice(1);
}

/** Joins two context paths, either of which may be `''` (the root, or nothing to add). */
export function joinContextPath(dir: string, name: string): string {
  if (dir === '') return name;
  return name === '' ? dir : `${dir}/${name}`;
}

/** The parent directory of a context path (`''` for top-level names). */
export function parentContextPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Orders names by their UTF-8 bytes, as Go's sort of strings does (and so fsutil's walk order).
 * JavaScript's `<` compares UTF-16 code units, which disagrees for characters above U+FFFF.
 */
export function compareNames(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
