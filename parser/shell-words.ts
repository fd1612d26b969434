// Variable expansion of Dockerfile words, exactly as BuildKit's shell lexer does it
// (moby/buildkit frontend/dockerfile/shell/lex.go): `$v`, `${v}`, `${v:-w}` and the other
// `${...}` operators, quotes, the escape character, and splitting into words.
//
// Which instruction uses which options (see conformance/expansion/instructions.json):
// - ENV, LABEL, ADD/COPY arguments and flags, WORKDIR, USER, VOLUME, STOPSIGNAL, ARG defaults,
//   RUN --mount values, FROM: expandWord(word, env, { escapeToken }).
// - EXPOSE: expandWords(word, env, { escapeToken }).
// - ADD/COPY heredoc bodies with an unquoted marker: expandWord(body, env,
//   { escapeToken: '\\', skipProcessQuotes: true }) - always a backslash, whatever `# escape=` says.
// - COPY --from: expandWord(from, empty env, { escapeToken }); a changed result is an error.
// - The name shown for a RUN step: expandWord(text, env, { escapeToken, rawQuotes: true,
//   skipUnsetEnv: true }), keeping the text as written if that fails.
// - Heredoc markers on an instruction line (empty env, always `\`): expandWords(line, env,
//   { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }); whether a marker is quoted:
//   expandWords(marker, env, { skipUnsetEnv: true }) with and without rawQuotes.
//
// BuildKit has no limits; strangers' Dockerfiles need some, so each expansion is bounded by
// MAX_WORD_LENGTH, MAX_NESTING_DEPTH, MAX_EXPANDED_LENGTH and MAX_PATTERN_MATCH_STEPS, and
// exceeding one throws a WordExpansionLimitError.
import { TsbuildError } from '../lib/errors.js';
import { ShellWordExpander } from './shell-expander.js';
import { ExpansionFailure, ExpansionLimitExceeded } from './shell-expansion-failure.js';
import { MAX_PATTERN_MATCH_STEPS, PatternMatchBudget } from './shell-pattern-matcher.js';
import { goQuote } from './syntax-dump.js';

export { MAX_PATTERN_MATCH_STEPS };

/** Longest word accepted, in UTF-16 code units (16 MiB of ASCII). */
export const MAX_WORD_LENGTH = 16 * 1024 * 1024;
/** Longest text any expansion may produce, in UTF-16 code units: `$A$A$A...` grows fast. */
export const MAX_EXPANDED_LENGTH = 16 * 1024 * 1024;
/** Deepest `${a:-${b:-${c...}}}` nesting; real Dockerfiles use two or three levels. */
export const MAX_NESTING_DEPTH = 64;

/** The variables a word is expanded against. `get` returns undefined for an unset variable. */
export interface VariableEnv {
  get(name: string): string | undefined;
  keys(): Iterable<string>;
}

export interface WordExpansionOptions {
  /** The Dockerfile's escape character; default `\`. */
  escapeToken?: '\\' | '`';
  /** Keep quote characters in the output (quotes still group and still stop expansion). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output (they still escape). */
  rawEscapes?: boolean;
  /** Leave references to unset variables as written (`${X:-a}` stays `${X:-a}`). */
  skipUnsetEnv?: boolean;
  /** Treat `'` and `"` as ordinary characters: used for ADD/COPY heredoc bodies. */
  skipProcessQuotes?: boolean;
}

export interface WordExpansion {
  value: string;
  /** Names that were looked up and set (even to ''). */
  matched: ReadonlySet<string>;
  /** Names that were looked up and unset: the "undefined variable" warnings come from these. */
  unmatched: ReadonlySet<string>;
}

export interface WordsExpansion {
  words: string[];
  matched: ReadonlySet<string>;
  unmatched: ReadonlySet<string>;
}

/** Expansion failed. The message is BuildKit's: `failed to process "${X:?msg}": X: msg`. */
export class WordExpansionError extends TsbuildError {
  /** BuildKit's text after the prefix, e.g. `X: msg` or `syntax error: bad substitution`. */
  readonly reason: string;

  constructor(readonly word: string, reason: string, options?: { cause?: unknown }) {
    super('E_EXPANSION', `failed to process ${goQuote(word)}: ${reason}`, options);
    this.reason = reason;
  }
}

/** One of the limits above was exceeded; `word` is cut to its first 100 characters. */
export class WordExpansionLimitError extends WordExpansionError {
  constructor(word: string, reason: string, options?: { cause?: unknown }) {
    super(word.length > 100 ? `${word.slice(0, 100)}...` : word, reason, options);
  }
}

/** An environment from name/value pairs or an object; a later duplicate wins. */
export function envFromEntries(entries: Iterable<readonly [string, string]> | Record<string, string>): VariableEnv {
  const pairs = Symbol.iterator in entries ? entries : Object.entries(entries);
  return new MapVariableEnv(new Map(pairs));
}

/**
 * An environment from `NAME=value` strings (an image's Env): split at the first `=`, an entry
 * without one sets the name to '', a later duplicate wins - as BuildKit's EnvsFromSlice.
 */
export function envFromAssignments(assignments: Iterable<string>): VariableEnv {
  const values = new Map<string, string>();
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals < 0) values.set(assignment, '');
    else values.set(assignment.slice(0, equals), assignment.slice(equals + 1));
  }
  return new MapVariableEnv(values);
}

class MapVariableEnv implements VariableEnv {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  keys(): Iterable<string> {
    return this.values.keys();
  }
}

/** BuildKit's ProcessWord: expands `word` into one string (quotes removed, nothing split). */
export function expandWord(word: string, env: VariableEnv, options: WordExpansionOptions = {}): WordExpansion {
  const { expander, result } = runExpander(word, env, options, false);
  return { value: result.value, matched: expander.matched, unmatched: expander.unmatched };
}

/**
 * BuildKit's ProcessWords: expands `word` and splits it on unquoted whitespace, including
 * whitespace inside unquoted variable values. Empty words are dropped.
 */
export function expandWords(word: string, env: VariableEnv, options: WordExpansionOptions = {}): WordsExpansion {
  const { expander, result } = runExpander(word, env, options, true);
  return { words: result.words, matched: expander.matched, unmatched: expander.unmatched };
}

function runExpander(word: string, env: VariableEnv, options: WordExpansionOptions, splitWords: boolean) {
  if (word.length > MAX_WORD_LENGTH) {
    throw new WordExpansionLimitError(word, `word is longer than ${MAX_WORD_LENGTH} characters`);
  }
  const expander = new ShellWordExpander(word, env, {
    escapeToken: (options.escapeToken ?? '\\').charCodeAt(0),
    rawQuotes: options.rawQuotes ?? false,
    rawEscapes: options.rawEscapes ?? false,
    skipUnsetEnv: options.skipUnsetEnv ?? false,
    skipProcessQuotes: options.skipProcessQuotes ?? false,
    maxNestingDepth: MAX_NESTING_DEPTH,
    maxExpandedLength: MAX_EXPANDED_LENGTH,
    patternBudget: new PatternMatchBudget(),
  });
  try {
    return { expander, result: expander.expand(splitWords) };
  } catch (error) {
    if (error instanceof ExpansionLimitExceeded) throw new WordExpansionLimitError(word, error.message, { cause: error });
    if (error instanceof ExpansionFailure) throw new WordExpansionError(word, error.message, { cause: error });
    throw error;
  }
}
