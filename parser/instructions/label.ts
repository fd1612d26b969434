// LABEL key=value ...: keys and values expanded, in order.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionBase, type InstructionBase } from './instruction-base.js';
import { expandKeyValuePairs, parseKeyValuePairs, type KeyValuePair } from './key-value.js';

export interface LabelInstruction extends InstructionBase {
  readonly kind: 'LABEL';
  readonly pairs: readonly KeyValuePair[];
}

export function parseLabel(node: SyntaxNode): LabelInstruction {
  parseFlags(node.flags, {}, node.range);
  return { kind: 'LABEL', ...instructionBase(node), pairs: parseKeyValuePairs(node, 'LABEL') };
}

export function expandLabel(instruction: LabelInstruction, expander: Expander): LabelInstruction {
  return { ...instruction, pairs: expandKeyValuePairs(instruction.pairs, expander) };
}
