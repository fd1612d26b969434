// STOPSIGNAL signal: expanded, then checked by whoever writes the image config. BuildKit never
// validates this instruction's flags, so any given are ignored.
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionBase, requireExactlyOneArgument, type InstructionBase } from './instruction-base.js';

export interface StopsignalInstruction extends InstructionBase {
  readonly kind: 'STOPSIGNAL';
  /** A name (`SIGTERM`) or a number (`9`), as written until expanded. */
  readonly signal: string;
}

export function parseStopsignal(node: SyntaxNode): StopsignalInstruction {
  const signal = requireExactlyOneArgument(node, 'STOPSIGNAL');
  return { kind: 'STOPSIGNAL', ...instructionBase(node), signal };
}

export function expandStopsignal(instruction: StopsignalInstruction, expander: Expander): StopsignalInstruction {
  return { ...instruction, signal: expander.word(instruction.signal) };
}
