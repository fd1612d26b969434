// The one error hierarchy of tsbuild. This module is a leaf: it imports nothing, so that parser/
// and cache/ (which import nothing else of ours) can throw the same typed errors as lib/.

/** A 1-based line and column in a source text (a Dockerfile, a .dockerignore). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** An inclusive start and an exclusive end position. */
export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

/** Where in which file something happened. `file` is the name the user gave (e.g. `Dockerfile`). */
export interface SourceLocation {
  readonly file: string;
  readonly range: SourceRange;
}

/**
 * Stable, documented error codes. Programs switch on `code`, never on message text.
 * - E_SYNTAX: the Dockerfile cannot be read as Dockerfile syntax (lexing, JSON form, directives).
 * - E_INSTRUCTION: an instruction is malformed (argument count, flags, values).
 * - E_EXPANSION: variable expansion failed (`${X:?msg}`, bad substitution, limits).
 * - E_PLAN: the stage graph is invalid (unknown stage, cycle, bad --target).
 * - E_USAGE: the caller passed bad options or CLI flags.
 * - E_INTEGRITY: stored content did not match its digest.
 * - E_CONTEXT: the build context or a .dockerignore is unusable.
 * - E_STORE: the root folder or a record in it is unusable.
 * - E_NOT_FOUND: a referenced image, stage, file or record does not exist.
 * - E_STEP: a build step failed (non-zero exit, missing source...).
 * - E_ABORTED: the operation was cancelled.
 */
export type ErrorCode =
  | 'E_SYNTAX'
  | 'E_INSTRUCTION'
  | 'E_EXPANSION'
  | 'E_PLAN'
  | 'E_USAGE'
  | 'E_INTEGRITY'
  | 'E_CONTEXT'
  | 'E_STORE'
  | 'E_NOT_FOUND'
  | 'E_STEP'
  | 'E_ABORTED';

/** Base class of every error tsbuild throws on purpose. */
export class TsbuildError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * An error located in a Dockerfile. `location.file` may be empty when the parser was given text
 * without a name; the build fills it in before the error reaches the user.
 */
export class DockerfileError extends TsbuildError {
  location: SourceLocation;
  /** The Dockerfile text, when known, so reports can show the lines around the error. */
  sourceText?: string;

  constructor(code: ErrorCode, message: string, range: SourceRange, options?: { cause?: unknown; file?: string }) {
    super(code, message, options);
    this.location = { file: options?.file ?? '', range };
  }

  /** Returns the same error attributed to `file` (the parser does not know file names). */
  inFile(file: string, sourceText?: string): this {
    this.location = { file, range: this.location.range };
    if (sourceText !== undefined) this.sourceText = sourceText;
    return this;
  }

  /** `Dockerfile:3:1: message` — the form every located error is printed in. */
  get located(): string {
    const { file, range } = this.location;
    return `${file || 'Dockerfile'}:${range.start.line}:${range.start.column}: ${this.message}`;
  }
}

/** The Dockerfile text could not be parsed (lexing, directives, JSON arrays, heredocs). */
export class DockerfileSyntaxError extends DockerfileError {
  constructor(message: string, range: SourceRange, options?: { cause?: unknown; file?: string }) {
    super('E_SYNTAX', message, range, options);
  }
}

/** Bad options passed to the library or the CLI. The CLI exits with status 2 for these. */
export class UsageError extends TsbuildError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_USAGE', message, options);
  }
}

/** Builds a range covering whole lines `startLine`..`endLine` (1-based) from column 1. */
export function lineRange(startLine: number, endLine = startLine, endColumn = 1): SourceRange {
  return { start: { line: startLine, column: 1 }, end: { line: endLine, column: endColumn } };
}
