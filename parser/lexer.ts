// The Dockerfile lexer: text in, one SyntaxNode per instruction out, matching BuildKit's parser
// (moby/buildkit frontend/dockerfile/parser) so that its fixtures dump byte for byte. It joins
// continuation lines, drops comments, applies `# escape=`, reads heredoc bodies and locates errors.
// Every step scans each line a bounded number of times, so the work is linear in the input.
import { DockerfileError, DockerfileSyntaxError, type SourceRange } from '../lib/errors.js';
import { DirectiveReader, lookedUpDirectives } from './directives.js';
import { heredocMarkersFromLine, type HeredocMarker } from './heredoc-lexer.js';
import { parseInstructionLine, type EscapeToken, type InstructionLine } from './instruction-line.js';
import type { Heredoc, ParserDirective, SyntaxNode, SyntaxTree } from './syntax-tree.js';
import { skipUnicodeSpace, trimLeftUnicodeSpace, trimUnicodeSpace } from './unicode-space.js';
import type { BuildWarning } from './warnings.js';

const MAX_LINE_BYTES = 65535;
const LINE_TOO_LONG = `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`;

/** Go's bytes.TrimRight(line, "\r\n"). */
function trimLineEnding(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === '\n' || line[end - 1] === '\r')) end--;
  return line.slice(0, end);
}

/** Whether the UTF-8 encoding is longer than BuildKit's line buffer allows; counted only when it may be. */
function exceedsLineLimit(line: string): boolean {
  if (line.length * 3 <= MAX_LINE_BYTES) return false;
  let bytes = 0;
  for (let index = 0; index < line.length; index++) {
    const unit = line.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (line.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes > MAX_LINE_BYTES;
}

/** The physical lines of the text, each with its `\n`, numbered from 1; a leading BOM is dropped. */
class PhysicalLines {
  lineNumber = 0;
  /** One past the last character of the line read last (line ending excluded). */
  lastLineEndColumn = 1;
  private offset = 0;

  constructor(private readonly text: string) {}

  next(): string | undefined {
    if (this.offset >= this.text.length) return undefined;
    const newline = this.text.indexOf('\n', this.offset);
    const end = newline < 0 ? this.text.length : newline + 1;
    const tooLong = exceedsLineLimit(this.text.slice(this.offset, newline < 0 ? end : newline));
    let raw = this.text.slice(this.offset, end);
    this.offset = end;
    this.lineNumber++;
    if (this.lineNumber === 1 && raw.startsWith('\uFEFF')) raw = raw.slice(1);
    this.lastLineEndColumn = trimLineEnding(raw).length + 1;
    if (tooLong) {
      const line = this.lineNumber;
      throw new DockerfileSyntaxError(LINE_TOO_LONG, { start: { line, column: 1 }, end: { line, column: this.lastLineEndColumn } });
    }
    return raw;
  }
}

const HEREDOC_KEYWORDS: ReadonlySet<string> = new Set(['add', 'copy', 'run']);

const EMPTY_CONTINUATION_WARNING = {
  rule: 'NoEmptyContinuation',
  level: 'warning',
  detail: 'Empty continuation lines will become errors in a future release',
  url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
} as const;

/**
 * Removes a line-continuation escape: the escape character as the last non-blank character, not
 * itself escaped (`foo \\` continues, `foo \\\\` does not), with the blanks after it.
 */
export function trimContinuation(line: string, escapeToken: EscapeToken): { text: string; continues: boolean } {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  if (end === 0 || line[end - 1] !== escapeToken || (end >= 2 && line[end - 2] === escapeToken)) {
    return { text: line, continues: false };
  }
  return { text: line.slice(0, end - 1), continues: true };
}

function isCommentLine(rawLine: string): boolean {
  return rawLine[skipUnicodeSpace(rawLine)] === '#';
}

/** The first physical line of an instruction, with leading blanks and continuation removed. */
interface InstructionStart {
  readonly text: string;
  readonly continues: boolean;
  readonly keywordColumn: number;
}

/** Where an instruction is: its lines, and the column its keyword starts at. */
interface InstructionPlace {
  readonly startLine: number;
  readonly keywordColumn: number;
  /** Length of the text of the first line, within which logical-line offsets map to columns. */
  readonly firstPieceLength: number;
}

class DockerfileLexer {
  private readonly lines: PhysicalLines;
  private escapeToken: EscapeToken = '\\';
  private escapeDirective: ParserDirective | undefined;
  private readonly directiveReader = new DirectiveReader();
  private comments: string[] = [];
  private readonly nodes: SyntaxNode[] = [];
  private readonly warnings: BuildWarning[] = [];

  constructor(private readonly text: string) {
    this.lines = new PhysicalLines(text);
  }

  run(): SyntaxTree {
    for (let raw = this.lines.next(); raw !== undefined; raw = this.lines.next()) {
      const start = this.readTopLevelLine(raw);
      if (start !== undefined) this.readInstruction(start);
    }
    const first = this.nodes[0];
    const last = this.nodes[this.nodes.length - 1];
    if (first === undefined || last === undefined) {
      const line = Math.max(1, this.lines.lineNumber);
      throw new DockerfileSyntaxError('file with no instructions', { start: { line, column: 1 }, end: { line, column: 1 } });
    }
    return {
      nodes: this.nodes,
      directives: [...(this.escapeDirective ? [this.escapeDirective] : []), ...lookedUpDirectives(this.text)].sort(
        (a, b) => a.range.start.line - b.range.start.line,
      ),
      escapeToken: this.escapeToken,
      warnings: this.warnings,
      range: { start: first.range.start, end: last.range.end },
    };
  }

  /** Comments and directives outside instructions; returns the start of an instruction, if any. */
  private readTopLevelLine(raw: string): InstructionStart | undefined {
    const line = trimLeftUnicodeSpace(trimLineEnding(raw));
    const isComment = line.startsWith('#');
    if (isComment) {
      // Upstream drops the first character of the raw line: an indented comment keeps its `#`.
      const comment = trimUnicodeSpace(raw.slice(1));
      if (comment === '') this.comments = [];
      else this.comments.push(comment);
    }
    if (this.readDirective(line)) this.comments.pop();
    const { text, continues } = trimContinuation(isComment ? '' : line, this.escapeToken);
    if (!continues && text === '') return undefined;
    return { text, continues, keywordColumn: skipUnicodeSpace(raw) + 1 };
  }

  private readDirective(line: string): boolean {
    const lineNumber = this.lines.lineNumber;
    const range = { start: { line: lineNumber, column: 1 }, end: { line: lineNumber, column: this.lines.lastLineEndColumn } };
    let directive;
    try {
      directive = this.directiveReader.read(line);
    } catch (error) {
      if (error instanceof DockerfileError) error.location = { file: error.location.file, range };
      throw error;
    }
    if (directive?.name === 'escape') {
      if (directive.value !== '`' && directive.value !== '\\') {
        throw new DockerfileSyntaxError(`invalid escape token '${directive.value}' does not match \` or \\`, range);
      }
      this.escapeToken = directive.value;
      this.escapeDirective = { name: 'escape', value: directive.value, range };
    }
    return directive !== undefined;
  }

  private readInstruction(start: InstructionStart): void {
    const place = { startLine: this.lines.lineNumber, keywordColumn: start.keywordColumn, firstPieceLength: start.text.length };
    const logicalLine = this.readContinuation(start);
    const parsed = this.located(place, () => parseInstructionLine(logicalLine, this.escapeToken));
    const heredocs = canContainHeredoc(parsed) && logicalLine.includes('<<') ? this.readHeredocs(logicalLine, place) : [];
    this.nodes.push(this.toSyntaxNode(parsed, place, heredocs));
    this.comments = [];
  }

  /** Joins continuation lines; blank and comment lines inside are dropped (blank ones warn). */
  private readContinuation(start: InstructionStart): string {
    const pieces = [start.text];
    let continues = start.continues;
    let hasEmptyLine = false;
    while (continues) {
      const raw = this.lines.next();
      if (raw === undefined) break;
      if (isCommentLine(raw)) continue;
      const line = trimLineEnding(raw);
      if (skipUnicodeSpace(line) === line.length) {
        hasEmptyLine = true;
        continue;
      }
      const piece = trimContinuation(line, this.escapeToken);
      pieces.push(piece.text);
      continues = piece.continues;
    }
    const logicalLine = pieces.join('');
    if (hasEmptyLine) this.warnEmptyContinuation(logicalLine);
    return logicalLine;
  }

  private warnEmptyContinuation(logicalLine: string): void {
    const line = this.lines.lineNumber;
    const range = { start: { line, column: 1 }, end: { line, column: this.lines.lastLineEndColumn } };
    this.warnings.push({ ...EMPTY_CONTINUATION_WARNING, message: `Empty continuation line found in: ${logicalLine}`, range });
  }

  private readHeredocs(logicalLine: string, place: InstructionPlace): Heredoc[] {
    const markers = this.located(place, () => heredocMarkersFromLine(logicalLine));
    return markers.map((marker) => ({ ...marker, content: this.readHeredocBody(marker, place) }));
  }

  /** The lines up to the terminator, each with its line ending; `<<-` allows a tab-indented terminator. */
  private readHeredocBody(marker: HeredocMarker, place: InstructionPlace): string {
    const body: string[] = [];
    for (let raw = this.lines.next(); raw !== undefined; raw = this.lines.next()) {
      const candidate = trimLineEnding(raw);
      if ((marker.chomp ? candidate.replace(/^\t+/, '') : candidate) === marker.name) return body.join('');
      body.push(raw);
    }
    throw new DockerfileSyntaxError('unterminated heredoc', this.rangeOf(place));
  }

  private rangeOf(place: InstructionPlace, keywordOffset = 0): SourceRange {
    const column = keywordOffset < place.firstPieceLength ? place.keywordColumn + keywordOffset : place.keywordColumn;
    return {
      start: { line: place.startLine, column },
      end: { line: this.lines.lineNumber, column: this.lines.lastLineEndColumn },
    };
  }

  /** Runs a step that reads the instruction's text; its errors get the instruction's range. */
  private located<T>(place: InstructionPlace, step: () => T): T {
    try {
      return step();
    } catch (error) {
      if (error instanceof DockerfileError) error.location = { file: error.location.file, range: this.rangeOf(place) };
      throw error;
    }
  }

  /** Builds the node and its ONBUILD triggers, innermost first (no recursion on deep chains). */
  private toSyntaxNode(parsed: InstructionLine, place: InstructionPlace, heredocs: Heredoc[]): SyntaxNode {
    const chain: InstructionLine[] = [];
    for (let line: InstructionLine | undefined = parsed; line; line = line.trigger) chain.push(line);
    let node: SyntaxNode | undefined;
    for (let index = chain.length - 1; index >= 0; index--) {
      const line = chain[index]!;
      const outermost = index === 0;
      node = {
        keyword: line.keyword.toLowerCase(),
        keywordAsWritten: line.keyword,
        flags: line.flags,
        args: line.args,
        json: line.json,
        heredocs: outermost ? heredocs : [],
        ...(node ? { next: node } : {}),
        original: line.text,
        range: this.rangeOf(place, line.keywordOffset),
        comments: outermost ? this.comments : [],
      };
    }
    return node!;
  }
}

function canContainHeredoc(line: InstructionLine): boolean {
  const target = line.keyword.toLowerCase() === 'onbuild' && line.trigger ? line.trigger : line;
  return HEREDOC_KEYWORDS.has(target.keyword.toLowerCase()) && !target.json;
}

/**
 * Parses Dockerfile text into its instructions. Throws DockerfileSyntaxError (with the 1-based
 * lines and columns of the offending instruction or line) for text BuildKit's parser rejects.
 */
export function parseSyntax(text: string): SyntaxTree {
  try {
    return new DockerfileLexer(text).run();
  } catch (error) {
    if (error instanceof DockerfileError && error.sourceText === undefined) error.sourceText = text;
    throw error;
  }
}

export { dumpSyntaxTree } from './syntax-dump.js';
