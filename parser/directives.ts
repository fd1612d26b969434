// Parser directives: `# syntax=`, `# escape=`, `# check=` comment lines at the very top of a
// Dockerfile. The first line that is not a known directive (an instruction, a blank line, any other
// comment) ends them. BuildKit reads them in two ways, both reproduced here: while parsing (where
// only `escape` matters) and by looking a directive up by name (`syntax`, `check`), which also
// skips a `#!` line and, for `syntax` only, accepts `//` comments and a JSON object.
import { DockerfileSyntaxError, lineRange } from '../lib/errors.js';
import type { ParserDirective } from './syntax-tree.js';
import { trimLeftUnicodeSpace } from './unicode-space.js';

export type DirectiveName = ParserDirective['name'];

/** A directive as read; `line` is 1-based. */
export interface FoundDirective {
  readonly name: DirectiveName;
  readonly value: string;
  readonly line: number;
}

/** The result of looking a directive up: `value` is up to the first space, `cmdline` all of it. */
export interface DirectiveLookup {
  readonly value: string;
  readonly cmdline: string;
  readonly line: number;
}

const KNOWN_DIRECTIVES: ReadonlySet<string> = new Set(['syntax', 'escape', 'check']);
const DIRECTIVE_NAME = /^[a-zA-Z][a-zA-Z0-9]*/;
// Go's regexp `\s`: no vertical tab.
const REGEXP_SPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20]);

/**
 * Matches `name\s*=\s*(.+?)\s*$` by hand: as a regex the lazy value followed by `\s*$` is quadratic
 * on long lines. When nothing but spaces follows `=`, the regex still matches with the last one.
 */
export function matchDirective(text: string): { name: string; value: string } | undefined {
  const name = DIRECTIVE_NAME.exec(text)?.[0];
  if (name === undefined) return undefined;
  let index = name.length;
  while (index < text.length && REGEXP_SPACE.has(text.charCodeAt(index))) index++;
  if (text[index] !== '=') return undefined;
  const afterEquals = index + 1;
  let start = afterEquals;
  while (start < text.length && REGEXP_SPACE.has(text.charCodeAt(start))) start++;
  let end = text.length;
  while (end > start && REGEXP_SPACE.has(text.charCodeAt(end - 1))) end--;
  if (start === end) return end > afterEquals ? { name, value: text[end - 1]! } : undefined;
  const value = text.slice(start, end);
  return value.includes('\n') ? undefined : { name, value };
}

/** Reads directives line by line with BuildKit's rules (its DirectiveParser). */
export class DirectiveReader {
  private lineNumber: number;
  private done = false;
  private readonly seen = new Set<string>();

  /** `linesBefore`: lines already skipped (a `#!` line), so that reported lines stay 1-based. */
  constructor(
    private readonly commentPrefix = '#',
    linesBefore = 0,
  ) {
    this.lineNumber = linesBefore;
  }

  /** The directive on this line, if it is one. Throws when a directive is repeated. */
  read(line: string): FoundDirective | undefined {
    this.lineNumber++;
    if (this.done) return undefined;
    const match = line.startsWith(this.commentPrefix)
      ? matchDirective(trimLeftUnicodeSpace(line.slice(this.commentPrefix.length)))
      : undefined;
    const name = match?.name.toLowerCase();
    if (match === undefined || name === undefined || !KNOWN_DIRECTIVES.has(name)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(name)) {
      throw new DockerfileSyntaxError(`only one ${name} parser directive can be used`, lineRange(this.lineNumber));
    }
    this.seen.add(name);
    return { name: name as DirectiveName, value: match.value, line: this.lineNumber };
  }
}

/** Go's bufio.ScanLines: split at `\n`, drop one `\r` before it, no empty last line. */
function scanLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

function readTopDirectives(text: string, commentPrefix: string, linesBefore: number, stopAtRepeat: boolean): FoundDirective[] {
  const reader = new DirectiveReader(commentPrefix, linesBefore);
  const found: FoundDirective[] = [];
  for (const line of scanLines(text)) {
    let directive: FoundDirective | undefined;
    try {
      directive = reader.read(line);
    } catch (error) {
      // Looking a directive up keeps what was read before a repeated one, as upstream does.
      if (stopAtRepeat && error instanceof DockerfileSyntaxError) break;
      throw error;
    }
    if (directive === undefined) break;
    found.push(directive);
  }
  return found;
}

/** All directives at the top of `text` (BuildKit's ParseAll); throws when one is repeated. */
export function parseDirectives(text: string): FoundDirective[] {
  return readTopDirectives(text, '#', 0, false);
}

function lookUp(name: DirectiveName, text: string, commentPrefix: string, linesBefore: number): DirectiveLookup | undefined {
  const directive = readTopDirectives(text, commentPrefix, linesBefore, true).find((found) => found.name === name);
  if (directive === undefined) return undefined;
  return { value: directive.value.split(' ')[0]!, cmdline: directive.value, line: directive.line };
}

function lookUpJson(name: DirectiveName, text: string, line: number): DirectiveLookup | undefined {
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return undefined;
  const value: unknown = (decoded as Record<string, unknown>)[name];
  return typeof value === 'string' ? { value, cmdline: value, line } : undefined;
}

function lookUpDirective(name: DirectiveName, text: string, anyFormat: boolean): DirectiveLookup | undefined {
  let body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const firstLineEnd = body.indexOf('\n');
  const hasShebang = body.startsWith('#!');
  if (hasShebang) body = firstLineEnd < 0 ? '' : body.slice(firstLineEnd + 1);
  const linesBefore = hasShebang ? 1 : 0;
  const found = lookUp(name, body, '#', linesBefore);
  if (found || !anyFormat) return found;
  return lookUp(name, body, '//', linesBefore) ?? lookUpJson(name, body, linesBefore + 1);
}

/** The `syntax` directive (BuildKit's DetectSyntax): `#`, then `//` comments, then a JSON object. */
export function detectSyntax(text: string): DirectiveLookup | undefined {
  return lookUpDirective('syntax', text, true);
}

/** Any directive by name with `#` comments only (BuildKit's ParseDirective), e.g. `check`. */
export function findDirective(name: DirectiveName, text: string): DirectiveLookup | undefined {
  return lookUpDirective(name, text, false);
}

function lineEndColumn(text: string, line: number): number {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const newline = text.indexOf('\n', start);
    if (newline < 0) return 1;
    start = newline + 1;
  }
  const newline = text.indexOf('\n', start);
  return (newline < 0 ? text.length : newline) - start + 1;
}

/**
 * The `syntax` and `check` directives of a Dockerfile as BuildKit looks them up (not as its parse
 * sees them: the lookup skips a `#!` line, the parse stops at it), with the lines they are on.
 */
export function lookedUpDirectives(text: string): ParserDirective[] {
  const directives: ParserDirective[] = [];
  for (const [name, found] of [['syntax', detectSyntax(text)], ['check', findDirective('check', text)]] as const) {
    if (found === undefined) continue;
    const { line } = found;
    directives.push({ name, value: found.cmdline, range: { start: { line, column: 1 }, end: { line, column: lineEndColumn(text, line) } } });
  }
  return directives;
}
