// A Dockerfile as stages: the lexer's nodes typed one by one, then grouped. ARGs before the first
// FROM are the global ("meta") ARGs; every other instruction belongs to the stage its FROM opened.
import { DockerfileError, type SourceRange } from '../lib/errors.js';
import type { ArgInstruction } from './instructions/arg.js';
import type { FromInstruction } from './instructions/from.js';
import { parseInstruction, type Instruction } from './instructions/index.js';
import { parseWarnings } from './instructions/parse-warnings.js';
import { parseSyntax } from './lexer.js';
import type { ParserDirective, SyntaxTree } from './syntax-tree.js';
import type { BuildWarning } from './warnings.js';

export interface Stage {
  /** 0-based position in the file; `COPY --from=1` refers to stages by it. */
  readonly index: number;
  /** The lower-cased name after `AS`, if any. */
  readonly name?: string;
  readonly from: FromInstruction;
  /** The stage's instructions after its FROM, in order. */
  readonly instructions: readonly Instruction[];
  /** The comment `# name text` directly above the FROM, without `name `. */
  readonly docComment?: string;
}

export interface ParsedDockerfile {
  /** ARGs before the first FROM: visible to every FROM, and in a stage after a bare `ARG NAME`. */
  readonly metaArgs: readonly ArgInstruction[];
  readonly stages: readonly Stage[];
  readonly directives: readonly ParserDirective[];
  readonly escapeToken: '\\' | '`';
  /** The lexer's findings, then those made while typing instructions, in file order. */
  readonly warnings: readonly BuildWarning[];
}

export interface ParseOptions {
  /** The name errors are attributed to (e.g. `Dockerfile`). */
  readonly file?: string;
}

interface MutableStage {
  readonly index: number;
  readonly from: FromInstruction;
  readonly instructions: Instruction[];
}

function toStage(stage: MutableStage): Stage {
  const { index, from, instructions } = stage;
  return {
    index,
    ...(from.stageName !== undefined ? { name: from.stageName } : {}),
    from,
    instructions,
    ...(from.docComment !== undefined ? { docComment: from.docComment } : {}),
  };
}

function groupIntoStages(tree: SyntaxTree): ParsedDockerfile {
  const metaArgs: ArgInstruction[] = [];
  const stages: MutableStage[] = [];
  const warnings: BuildWarning[] = [...tree.warnings];
  for (const node of tree.nodes) {
    const instruction = parseInstruction(node, { escapeToken: tree.escapeToken });
    warnings.push(...parseWarnings(node));
    const current = stages[stages.length - 1];
    if (instruction.kind === 'FROM') stages.push({ index: stages.length, from: instruction, instructions: [] });
    else if (current !== undefined) current.instructions.push(instruction);
    else if (instruction.kind === 'ARG') metaArgs.push(instruction);
    else throw new DockerfileError('E_INSTRUCTION', 'no build stage in current context', node.range);
  }
  warnings.sort((a, b) => (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0));
  return { metaArgs, stages: stages.map(toStage), directives: tree.directives, escapeToken: tree.escapeToken, warnings };
}

/**
 * Parses a Dockerfile into global ARGs and stages. Throws a DockerfileError (E_SYNTAX for text the
 * lexer rejects, E_INSTRUCTION for a malformed instruction) located in the file.
 */
export function parseDockerfile(text: string, options: ParseOptions = {}): ParsedDockerfile {
  try {
    return groupIntoStages(parseSyntax(text));
  } catch (error) {
    if (error instanceof DockerfileError) error.inFile(options.file ?? error.location.file, error.sourceText ?? text);
    throw error;
  }
}

/**
 * Parses an ONBUILD trigger read from a base image's config, for the child build. Its errors are
 * reported at `range` (the child's FROM), as BuildKit does.
 */
export function parseOnbuildTrigger(expression: string, range: SourceRange): Instruction {
  try {
    const tree = parseSyntax(expression);
    if (tree.nodes.length !== 1) throw new DockerfileError('E_INSTRUCTION', 'onbuild trigger should be a single expression', range);
    const instruction = parseInstruction(tree.nodes[0]!);
    if (instruction.kind === 'FROM') throw new DockerfileError('E_INSTRUCTION', 'FROM is not allowed as an ONBUILD trigger', range);
    return instruction;
  } catch (error) {
    if (error instanceof DockerfileError) error.location = { file: error.location.file, range };
    throw error;
  }
}
