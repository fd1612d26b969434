// SHELL ["executable", "parameters"...]: the shell later shell-form commands run through. Only the
// JSON form is accepted; the words are never expanded.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { instructionBase, instructionError, type InstructionBase } from './instruction-base.js';

export interface ShellInstruction extends InstructionBase {
  readonly kind: 'SHELL';
  readonly shell: readonly string[];
}

export function parseShell(node: SyntaxNode): ShellInstruction {
  parseFlags(node.flags, {}, node.range);
  if (node.args.length === 0) throw instructionError(node, 'SHELL requires at least one argument');
  if (!node.json) throw instructionError(node, 'SHELL requires the arguments to be in JSON form');
  return { kind: 'SHELL', ...instructionBase(node), shell: [...node.args] };
}
