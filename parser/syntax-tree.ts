// The shape the lexer produces: one node per Dockerfile instruction, with arguments split the way
// BuildKit's parser splits them for that keyword. Nothing here is expanded or validated yet; the
// typed instructions (parser/instructions/) are built from these nodes.
import type { SourceRange } from '../lib/errors.js';
import type { BuildWarning } from './warnings.js';

/** A here-document attached to a RUN, COPY or ADD line (`<<EOF`, `<<-EOF`, `3<<'EOF'`). */
export interface Heredoc {
  /** The marker name with quotes removed (`EOF` for `<<'EOF'`). */
  readonly name: string;
  /** The body, each line ending in `\n`; leading tabs are still present even for `<<-`. */
  readonly content: string;
  /** False when any part of the marker was quoted: the body is then taken verbatim. */
  readonly expand: boolean;
  /** True for `<<-`: leading tabs are stripped when the body is used. */
  readonly chomp: boolean;
  /** The file descriptor written before `<<` (`3<<EOF`), 0 when none was written. */
  readonly fileDescriptor: number;
}

/** One instruction as the lexer saw it. */
export interface SyntaxNode {
  /** The keyword lower-cased (`run`), as BuildKit stores it. */
  readonly keyword: string;
  /** The keyword exactly as written, for messages such as `unknown instruction: foo`. */
  readonly keywordAsWritten: string;
  /** Leading `--flag[=value]` words as written; a bare `--` ends the flags and is dropped. */
  readonly flags: readonly string[];
  /**
   * The argument values, split per keyword as BuildKit's parser does: one value for shell form,
   * one per element for JSON form, (key, value, delimiter) triples for ENV and LABEL, one per
   * word for ADD/COPY/VOLUME/FROM/EXPOSE/ARG, the rest of the line for USER/WORKDIR/... .
   */
  readonly args: readonly string[];
  /** True when the arguments were a valid JSON string array (exec form). */
  readonly json: boolean;
  readonly heredocs: readonly Heredoc[];
  /** The trigger instruction of an ONBUILD. */
  readonly next?: SyntaxNode;
  /** The logical line as written: continuation lines joined, escape+newline removed. */
  readonly original: string;
  /** From the keyword's first character to the end of the instruction's last line (heredocs included). */
  readonly range: SourceRange;
  /** Comment lines directly above the instruction, without `#` and leading space (doc comments). */
  readonly comments: readonly string[];
}

export interface ParserDirective {
  readonly name: 'syntax' | 'escape' | 'check';
  readonly value: string;
  readonly range: SourceRange;
}

/** The whole file as the lexer saw it. */
export interface SyntaxTree {
  readonly nodes: readonly SyntaxNode[];
  readonly directives: readonly ParserDirective[];
  /** The escape character in effect: `\` unless `# escape=` chose `` ` ``. */
  readonly escapeToken: '\\' | '`';
  readonly warnings: readonly BuildWarning[];
  /** From the first instruction's first line to the last instruction's last line. */
  readonly range: SourceRange;
}
