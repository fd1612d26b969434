// FROM [--platform=P] image [AS name]: starts a stage. The image and platform are expanded
// against the global ARGs only (those declared before the first FROM), never a stage's ENV.
import { DockerfileError } from '../../lib/errors.js';
import { parseFlags, stringFlag } from '../flags.js';
import { goQuote } from '../syntax-dump.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { docCommentFor } from './arg.js';
import type { Expander } from './expander.js';
import { instructionBase, instructionError, type InstructionBase } from './instruction-base.js';

export interface FromInstruction extends InstructionBase {
  readonly kind: 'FROM';
  /** The base: an image reference, `scratch`, or an earlier stage's name; as written until expanded. */
  readonly image: string;
  readonly platform?: string;
  /** The stage name after `AS`, lower-cased (stage names are matched without regard to case). */
  readonly stageName?: string;
  /** The text of a comment line `# name text` directly above, without `name `. */
  readonly docComment?: string;
}

const VALID_STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

/** `image` or `image AS name` (`AS` in any case); the name is lower-cased and must look like one. */
function readStageName(node: SyntaxNode): string | undefined {
  const { args } = node;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    const name = args[2]!.toLowerCase();
    if (!VALID_STAGE_NAME.test(name)) {
      throw instructionError(node, `invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`);
    }
    return name;
  }
  if (args.length !== 1) throw instructionError(node, 'FROM requires either one or three arguments');
  return undefined;
}

export function parseFrom(node: SyntaxNode): FromInstruction {
  const stageName = readStageName(node);
  const { platform } = parseFlags(node.flags, { platform: stringFlag() }, node.range).values;
  const docComment = stageName === undefined ? undefined : docCommentFor(node.comments, stageName);
  return {
    kind: 'FROM',
    ...instructionBase(node),
    image: node.args[0]!,
    ...(platform !== '' ? { platform } : {}),
    ...(stageName !== undefined ? { stageName } : {}),
    ...(docComment !== undefined ? { docComment } : {}),
  };
}

/** Expands with an expander over the global ARGs. A base or platform that comes out empty is an error. */
export function expandFrom(instruction: FromInstruction, globalArgs: Expander): FromInstruction {
  const image = globalArgs.word(instruction.image);
  if (image === '') throw instructionError(instruction, `base name (${instruction.image}) should not be blank`);
  if (instruction.platform === undefined) return { ...instruction, image };
  let platform: string;
  try {
    platform = globalArgs.word(instruction.platform);
  } catch (error) {
    const message = `failed to process arguments for platform ${instruction.platform}: ${(error as Error).message}`;
    throw new DockerfileError('E_EXPANSION', message, instruction.range, { cause: error });
  }
  if (platform === '') throw instructionError(instruction, `empty platform value from expression ${instruction.platform}`);
  return { ...instruction, image, platform };
}
