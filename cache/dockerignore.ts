// .dockerignore files and the pattern lists behind them, with Docker's semantics (not git's):
// - reading follows moby/patternmatcher's ignorefile.ReadAll;
// - building a matcher follows patternmatcher.New (trim, Go path.Clean, '!' exceptions, a lone
//   '!' rejected, every pattern checked with Go's path.Match syntax);
// - a path is matched when a pattern matches the path itself or any parent directory, and the
//   last pattern that matches decides (MatchesOrParentMatches). The same list also serves COPY
//   --exclude and include filters.
import { TsbuildError } from '../lib/errors.js';
import { cleanPath } from './context-path.js';
import { isGlobSyntaxValid } from './go-glob.js';
import { CompiledPattern } from './ignore-pattern.js';
import { RegexpSyntaxError } from './linear-regexp.js';

/** One pattern read from an ignore file, with the 1-based line it came from. */
export interface IgnoreFileLine {
  readonly pattern: string;
  readonly line: number;
}

/** A pattern list could not be built or used. `reason` tells the two upstream errors apart. */
export class IgnorePatternError extends TsbuildError {
  constructor(
    readonly reason: 'lone-exclamation' | 'bad-pattern',
    readonly pattern: string,
    message: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super('E_CONTEXT', message, options);
  }
}

/** One active pattern of a matcher. */
export interface IgnoreRule {
  /** Position in the matcher's list (blank patterns are not counted). */
  readonly index: number;
  /** The pattern as given to the matcher, `!` included. */
  readonly source: string;
  /** The cleaned pattern without its `!`. */
  readonly pattern: string;
  readonly exception: boolean;
  /** The ignore-file line, when the list came from a file. */
  readonly line?: number;
}

/**
 * How a path fared against a matcher, kept per directory while walking so that children only
 * test their own path: `hits[i]` is whether rule i matched the path or one of its parents.
 */
export interface PathVerdict {
  readonly hits: readonly boolean[];
  /** The rule that decided (the last one that hit), or -1. */
  readonly decidedBy: number;
  /** True when the path is matched (excluded, for an ignore list). */
  readonly matched: boolean;
}

/** Why a path is matched or not: the deciding rule and the path (itself or a parent) it hit. */
export interface PathExplanation {
  readonly matched: boolean;
  readonly rule?: IgnoreRule;
  readonly matchedPath?: string;
}

const UTF8_BOM = '\uFEFF';
/** Go's unicode.IsSpace set (JavaScript's trim() also strips U+FEFF and keeps U+0085). */
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]';
const LEADING_SPACE = new RegExp(`^${GO_SPACE}+`);
const TRAILING_SPACE = new RegExp(`${GO_SPACE}+$`);

export function goTrimSpace(text: string): string {
  return text.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/**
 * Reads ignore-file text into patterns: BOM stripped, `#` comments only at column 1, lines
 * trimmed, blank lines dropped, patterns cleaned, a leading `/` removed (`! /x` becomes `!x`).
 * A lone `!` is kept; building the matcher rejects it. `null` (no file) gives no patterns.
 */
export function readIgnoreFile(content: string | Uint8Array | null): IgnoreFileLine[] {
  if (content === null) return [];
  let text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  if (text.startsWith(UTF8_BOM)) text = text.slice(1);
  const out: IgnoreFileLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.startsWith('#')) return;
    let pattern = goTrimSpace(raw);
    if (pattern === '') return;
    const exception = pattern.startsWith('!');
    if (exception) pattern = goTrimSpace(pattern.slice(1));
    if (pattern !== '') {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push({ pattern: exception ? '!' + pattern : pattern, line: i + 1 });
  });
  return out;
}

export class PatternMatcher {
  readonly hasExceptions: boolean;

  private constructor(
    readonly rules: readonly IgnoreRule[],
    private readonly compiled: readonly CompiledPattern[],
    private readonly origin: string,
  ) {
    this.hasExceptions = rules.some((rule) => rule.exception);
  }

  /**
   * Builds a matcher (patternmatcher.New). Accepts plain strings or lines read from a file.
   * `origin` names the list in error messages (e.g. `.dockerignore`, `--exclude`).
   */
  static create(patterns: readonly (string | IgnoreFileLine)[], origin = 'patterns'): PatternMatcher {
    const rules: IgnoreRule[] = [];
    const compiled: CompiledPattern[] = [];
    for (const item of patterns) {
      const line = typeof item === 'string' ? undefined : item.line;
      const trimmed = goTrimSpace(typeof item === 'string' ? item : item.pattern);
      if (trimmed === '') continue;
      const rule = makeRule(cleanPath(trimmed), rules.length, line, origin);
      rules.push(rule);
      compiled.push(new CompiledPattern(rule.pattern));
    }
    return new PatternMatcher(rules, compiled, origin);
  }

  /** Whether `path` (or a parent) is matched. `path` is '/'-separated, context-relative. */
  matches(path: string): boolean {
    return this.explain(path).matched;
  }

  /** The rule that decides `path`, and which path it hit (the path itself or a parent). */
  explain(path: string): PathExplanation {
    let matched = false;
    let decision: PathExplanation = { matched };
    this.rules.forEach((rule, i) => {
      if (rule.exception !== matched) return; // cannot change the outcome
      const hit = this.guard(i, () => this.compiled[i].firstHit(path));
      if (hit === undefined) return;
      matched = !rule.exception;
      decision = { matched, rule, matchedPath: hit };
    });
    return decision;
  }

  /** The verdict for `path`, given the verdict of its parent directory (none for top level). */
  verdict(path: string, parent?: PathVerdict): PathVerdict {
    const hits: boolean[] = [];
    let matched = false;
    let decidedBy = -1;
    this.rules.forEach((rule, i) => {
      // A rule that cannot change the outcome at this point is not evaluated upstream, so a
      // broken one raises no error there; evaluating it here must not raise one either.
      const mustEvaluate = rule.exception === matched;
      hits.push((parent?.hits[i] ?? false) || this.test(i, path, mustEvaluate));
      if (hits[i] && mustEvaluate) {
        matched = !rule.exception;
        decidedBy = i;
      }
    });
    return { hits, decidedBy, matched };
  }

  /**
   * Whether some path strictly inside directory `dir` could get the opposite verdict: a later
   * rule of the opposite polarity may match there. When not, a walk can skip the directory.
   */
  mayFlipInside(dir: string, verdict: PathVerdict): boolean {
    for (let i = verdict.decidedBy + 1; i < this.rules.length; i++) {
      if (this.rules[i].exception !== verdict.matched) continue;
      // A broken pattern may match anywhere; matching will report it.
      if (this.guard(i, () => this.compiled[i].mayMatchInside(dir), true)) return true;
    }
    return false;
  }

  private test(index: number, path: string, reportErrors: boolean): boolean {
    if (!reportErrors) return this.guard(index, () => this.compiled[index].matches(path), false);
    return this.guard(index, () => this.compiled[index].matches(path));
  }

  /** Runs a match, turning a bad regexp into an IgnorePatternError, or into `quietValue`. */
  private guard<T>(index: number, run: () => T, ...quietValue: [T] | []): T {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof RegexpSyntaxError)) throw error;
      if (quietValue.length > 0) return quietValue[0] as T;
      throw this.badPattern(this.rules[index], error);
    }
  }

  private badPattern(rule: IgnoreRule, cause: unknown): IgnorePatternError {
    const where = rule.line === undefined ? this.origin : `${this.origin}:${rule.line}`;
    return new IgnorePatternError('bad-pattern', rule.source, `${where}: syntax error in pattern ${JSON.stringify(rule.source)}`, rule.line, { cause });
  }
}

function makeRule(cleaned: string, index: number, line: number | undefined, origin: string): IgnoreRule {
  const where = line === undefined ? origin : `${origin}:${line}`;
  const exception = cleaned.startsWith('!');
  if (cleaned === '!') {
    throw new IgnorePatternError('lone-exclamation', cleaned, `${where}: illegal exclusion pattern: "!"`, line);
  }
  const pattern = exception ? cleaned.slice(1) : cleaned;
  if (!isGlobSyntaxValid(pattern)) {
    throw new IgnorePatternError('bad-pattern', cleaned, `${where}: syntax error in pattern ${JSON.stringify(cleaned)}`, line);
  }
  return { index, source: cleaned, pattern, exception, ...(line === undefined ? {} : { line }) };
}
