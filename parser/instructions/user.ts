// USER user[:group]: the rest of the line, expanded against the stage's environment.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionBase, requireExactlyOneArgument, type InstructionBase } from './instruction-base.js';

export interface UserInstruction extends InstructionBase {
  readonly kind: 'USER';
  /** `name`, `uid`, `name:group` or `uid:gid`, resolved against the image's files at build time. */
  readonly user: string;
}

export function parseUser(node: SyntaxNode): UserInstruction {
  const user = requireExactlyOneArgument(node, 'USER');
  parseFlags(node.flags, {}, node.range);
  return { kind: 'USER', ...instructionBase(node), user };
}

export function expandUser(instruction: UserInstruction, expander: Expander): UserInstruction {
  return { ...instruction, user: expander.word(instruction.user) };
}
