// WORKDIR path: the rest of the line, expanded against the stage's environment.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionBase, requireExactlyOneArgument, type InstructionBase } from './instruction-base.js';

export interface WorkdirInstruction extends InstructionBase {
  readonly kind: 'WORKDIR';
  /** As written until expanded; may be relative (then it is joined to the current directory). */
  readonly path: string;
}

export function parseWorkdir(node: SyntaxNode): WorkdirInstruction {
  const path = requireExactlyOneArgument(node, 'WORKDIR');
  parseFlags(node.flags, {}, node.range);
  return { kind: 'WORKDIR', ...instructionBase(node), path };
}

export function expandWorkdir(instruction: WorkdirInstruction, expander: Expander): WorkdirInstruction {
  return { ...instruction, path: expander.word(instruction.path) };
}
