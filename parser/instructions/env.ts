// ENV KEY=value ... (or the legacy ENV KEY value): keys and values expanded, in order, each pair
// seeing the environment as it was before the instruction (BuildKit expands the whole line first).
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionBase, type InstructionBase } from './instruction-base.js';
import { expandKeyValuePairs, parseKeyValuePairs, type KeyValuePair } from './key-value.js';

export interface EnvInstruction extends InstructionBase {
  readonly kind: 'ENV';
  readonly pairs: readonly KeyValuePair[];
}

export function parseEnv(node: SyntaxNode): EnvInstruction {
  parseFlags(node.flags, {}, node.range);
  return { kind: 'ENV', ...instructionBase(node), pairs: parseKeyValuePairs(node, 'ENV') };
}

export function expandEnv(instruction: EnvInstruction, expander: Expander): EnvInstruction {
  return { ...instruction, pairs: expandKeyValuePairs(instruction.pairs, expander) };
}
