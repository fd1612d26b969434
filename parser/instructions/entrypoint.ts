// ENTRYPOINT: exec or shell form, never expanded. `ENTRYPOINT []` (exec form, no words) clears it.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { nodeCommandLine, type CommandLine } from './command-line.js';
import { instructionBase, type InstructionBase } from './instruction-base.js';

export interface EntrypointInstruction extends InstructionBase {
  readonly kind: 'ENTRYPOINT';
  /** Exec form with no arguments means "no entrypoint"; shell form always runs the shell. */
  readonly command: CommandLine;
}

export function parseEntrypoint(node: SyntaxNode): EntrypointInstruction {
  parseFlags(node.flags, {}, node.range);
  return { kind: 'ENTRYPOINT', ...instructionBase(node), command: nodeCommandLine(node) };
}
