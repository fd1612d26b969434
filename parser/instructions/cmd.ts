// CMD: the default command of the image, exec or shell form, never expanded by the builder.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { nodeCommandLine, type CommandLine } from './command-line.js';
import { instructionBase, type InstructionBase } from './instruction-base.js';

export interface CmdInstruction extends InstructionBase {
  readonly kind: 'CMD';
  readonly command: CommandLine;
}

export function parseCmd(node: SyntaxNode): CmdInstruction {
  parseFlags(node.flags, {}, node.range);
  return { kind: 'CMD', ...instructionBase(node), command: nodeCommandLine(node) };
}
