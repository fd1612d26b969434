// Docker's `reference` filter (`docker images --filter reference=PATTERN`, and a positional
// REPOSITORY[:TAG] with wildcards): the pattern is matched, shell-glob style as Go's path.Match
// does (`*` and `?` never cross a `/`, `[a-z]` classes, `\` escapes), against a tag's familiar
// form (`nginx:latest`, `localhost/app:v1`) and, failing that, its familiar name without the tag.
import { UsageError } from '../errors.js';
import { familiarName, familiarString, parseReference } from './reference.js';

/** True when `pattern` holds a glob character, so it is a pattern rather than a plain reference. */
export function isReferencePattern(text: string): boolean {
  return /[*?[\\]/.test(text);
}

/** A matcher for full tag names (`docker.io/library/nginx:latest`). */
export function referenceMatcher(pattern: string): (fullTag: string) => boolean {
  const glob = globRegExp(pattern);
  return (fullTag) => {
    const reference = parseReference(fullTag);
    return glob.test(familiarString(reference)) || glob.test(familiarName(reference));
  };
}

function globRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '\\') {
      const next = pattern[++index];
      if (next === undefined) throw badPattern(pattern);
      source += escape(next);
    } else if (char === '[') {
      const end = pattern.indexOf(']', index + 1);
      const body = pattern.slice(index + 1, end);
      const negated = body.startsWith('^');
      const members = (negated ? body.slice(1) : body).replace(/[\\[\]]/g, '\\$&');
      if (end < 0 || members === '') throw badPattern(pattern);
      source += negated ? `[^/${members}]` : `[${members}]`;
      index = end;
    } else source += escape(char);
  }
  return new RegExp(`^${source}$`, 'u');
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function badPattern(pattern: string): UsageError {
  return new UsageError(`invalid reference pattern ${JSON.stringify(pattern)}: syntax error in pattern`);
}
