// What every typed instruction carries, and the argument-count errors BuildKit words the same way
// for every keyword. Errors point at the whole instruction, as BuildKit's do.
import { DockerfileError, TsbuildError, type ErrorCode, type SourceRange } from '../../lib/errors.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { trimUnicodeSpace } from '../unicode-space.js';

export interface InstructionBase {
  readonly range: SourceRange;
  /** The instruction as written (continuation lines joined), trimmed: the text history shows. */
  readonly original: string;
  /** Comment lines directly above the instruction (`# check=` overrides and doc comments live there). */
  readonly comments: readonly string[];
}

/** What typing an instruction needs beyond its node. */
export interface ParseContext {
  /** The Dockerfile's escape character (`# escape=`), for the few checks that expand words. */
  readonly escapeToken: '\\' | '`';
}

export const DEFAULT_PARSE_CONTEXT: ParseContext = { escapeToken: '\\' };

export function instructionBase(node: SyntaxNode): InstructionBase {
  return { range: node.range, original: trimUnicodeSpace(node.original), comments: node.comments };
}

export function instructionError(node: Pick<SyntaxNode, 'range'>, message: string): DockerfileError {
  return new DockerfileError('E_INSTRUCTION', message, node.range);
}

/**
 * Runs a reader that throws plain Errors (option parsers, expansion hooks) and gives what it throws
 * the instruction's range; errors that already carry a location pass through unchanged.
 */
export function locatedErrors<T>(target: { readonly range: SourceRange }, read: () => T, code: ErrorCode = 'E_INSTRUCTION'): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DockerfileError) throw error;
    const errorCode = error instanceof TsbuildError ? error.code : code;
    throw new DockerfileError(errorCode, error instanceof Error ? error.message : String(error), target.range, { cause: error });
  }
}

export function requireExactlyOneArgument(node: SyntaxNode, keyword: string): string {
  if (node.args.length !== 1) throw instructionError(node, `${keyword} requires exactly one argument`);
  return node.args[0]!;
}

export function requireAtLeastOneArgument(node: SyntaxNode, keyword: string): void {
  if (node.args.length === 0) throw instructionError(node, `${keyword} requires at least one argument`);
}
