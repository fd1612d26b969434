// Typed instructions: one module per keyword, tied together by a table keyed by keyword, so that
// parsing and expansion dispatch without a switch and adding a keyword touches one table row.
import type { SyntaxNode } from '../syntax-tree.js';
import { withSuggestion } from '../suggest.js';
import { parseAdd, expandAdd, type AddInstruction } from './add.js';
import { parseArg, type ArgInstruction } from './arg.js';
import { parseCmd, type CmdInstruction } from './cmd.js';
import { parseCopy, expandCopy, type CopyInstruction } from './copy.js';
import { parseEntrypoint, type EntrypointInstruction } from './entrypoint.js';
import { parseEnv, expandEnv, type EnvInstruction } from './env.js';
import type { Expander } from './expander.js';
import { parseExpose, expandExpose, type ExposeInstruction } from './expose.js';
import { parseFrom, expandFrom, type FromInstruction } from './from.js';
import { parseHealthcheck, type HealthcheckInstruction } from './healthcheck.js';
import { DEFAULT_PARSE_CONTEXT, instructionError, locatedErrors, type ParseContext } from './instruction-base.js';
import { parseLabel, expandLabel, type LabelInstruction } from './label.js';
import { parseMaintainer, type MaintainerInstruction } from './maintainer.js';
import { parseOnbuild, type OnbuildInstruction } from './onbuild.js';
import { parseRun, expandRun, type RunInstruction } from './run.js';
import { parseShell, type ShellInstruction } from './shell.js';
import { parseStopsignal, expandStopsignal, type StopsignalInstruction } from './stopsignal.js';
import { parseUser, expandUser, type UserInstruction } from './user.js';
import { parseVolume, expandVolume, type VolumeInstruction } from './volume.js';
import { parseWorkdir, expandWorkdir, type WorkdirInstruction } from './workdir.js';

export type Instruction =
  | AddInstruction
  | ArgInstruction
  | CmdInstruction
  | CopyInstruction
  | EntrypointInstruction
  | EnvInstruction
  | ExposeInstruction
  | FromInstruction
  | HealthcheckInstruction
  | LabelInstruction
  | MaintainerInstruction
  | OnbuildInstruction
  | RunInstruction
  | ShellInstruction
  | StopsignalInstruction
  | UserInstruction
  | VolumeInstruction
  | WorkdirInstruction;

export type InstructionKind = Instruction['kind'];
export type InstructionOf<K extends InstructionKind> = Extract<Instruction, { kind: K }>;

interface InstructionRule<K extends InstructionKind> {
  readonly parse: (node: SyntaxNode, context: ParseContext) => InstructionOf<K>;
  /** Absent where BuildKit expands nothing (RUN text, CMD, HEALTHCHECK, ONBUILD...). */
  readonly expand?: (instruction: InstructionOf<K>, expander: Expander) => InstructionOf<K>;
}

type InstructionRules = { readonly [K in InstructionKind as Lowercase<K>]: InstructionRule<K> };

const INSTRUCTION_RULES: InstructionRules = {
  add: { parse: parseAdd, expand: expandAdd },
  // ARG defaults are expanded by the plan (only when no build arg overrides them): see expandArgDefault.
  arg: { parse: parseArg },
  cmd: { parse: parseCmd },
  copy: { parse: parseCopy, expand: expandCopy },
  entrypoint: { parse: parseEntrypoint },
  env: { parse: parseEnv, expand: expandEnv },
  expose: { parse: parseExpose, expand: expandExpose },
  // FROM is expanded against the global ARGs: the caller passes an expander over those.
  from: { parse: parseFrom, expand: expandFrom },
  healthcheck: { parse: parseHealthcheck },
  label: { parse: parseLabel, expand: expandLabel },
  maintainer: { parse: parseMaintainer },
  onbuild: { parse: (node, context) => parseOnbuild(node, context, parseInstruction) },
  run: { parse: parseRun, expand: expandRun },
  shell: { parse: parseShell },
  stopsignal: { parse: parseStopsignal, expand: expandStopsignal },
  user: { parse: parseUser, expand: expandUser },
  volume: { parse: parseVolume, expand: expandVolume },
  workdir: { parse: parseWorkdir, expand: expandWorkdir },
};

/** Every keyword, upper-cased, in alphabetical order. */
export const INSTRUCTION_KEYWORDS: readonly InstructionKind[] = Object.keys(INSTRUCTION_RULES).map(
  (keyword) => keyword.toUpperCase() as InstructionKind,
);

function ruleFor(keyword: string): InstructionRule<InstructionKind> | undefined {
  if (!Object.hasOwn(INSTRUCTION_RULES, keyword)) return undefined;
  return INSTRUCTION_RULES[keyword as keyof InstructionRules] as unknown as InstructionRule<InstructionKind>;
}

/**
 * Types one syntax node. Throws a located DockerfileError (E_INSTRUCTION) with BuildKit's message.
 * `context` carries the file's escape character (parseDockerfile passes it).
 */
export function parseInstruction(node: SyntaxNode, context: ParseContext = DEFAULT_PARSE_CONTEXT): Instruction {
  const rule = ruleFor(node.keyword);
  if (rule === undefined) {
    const message = `unknown instruction: ${node.keywordAsWritten}`;
    throw instructionError(node, withSuggestion(message, node.keywordAsWritten, INSTRUCTION_KEYWORDS, false));
  }
  return rule.parse(node, context);
}

/**
 * A copy of the instruction with the fields BuildKit expands expanded (the instruction itself
 * when there are none). Errors come back located at the instruction (E_EXPANSION unless the
 * expander's error says otherwise, E_INSTRUCTION for values that expand to something invalid).
 */
export function expandInstruction<I extends Instruction>(instruction: I, expander: Expander): I {
  const rule = ruleFor(instruction.kind.toLowerCase());
  const expand = rule?.expand;
  if (expand === undefined) return instruction;
  return locatedErrors(instruction, () => expand(instruction, expander) as I, 'E_EXPANSION');
}
