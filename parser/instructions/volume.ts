// VOLUME /a /b or VOLUME ["/a", "/b"]: each path trimmed, none empty, each expanded.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { trimUnicodeSpace } from '../unicode-space.js';
import type { Expander } from './expander.js';
import { instructionBase, instructionError, requireAtLeastOneArgument, type InstructionBase } from './instruction-base.js';

export interface VolumeInstruction extends InstructionBase {
  readonly kind: 'VOLUME';
  readonly volumes: readonly string[];
}

export function parseVolume(node: SyntaxNode): VolumeInstruction {
  requireAtLeastOneArgument(node, 'VOLUME');
  parseFlags(node.flags, {}, node.range);
  const volumes = node.args.map((arg) => {
    const volume = trimUnicodeSpace(arg);
    if (volume === '') throw instructionError(node, 'VOLUME specified can not be an empty string');
    return volume;
  });
  return { kind: 'VOLUME', ...instructionBase(node), volumes };
}

export function expandVolume(instruction: VolumeInstruction, expander: Expander): VolumeInstruction {
  return { ...instruction, volumes: instruction.volumes.map((volume) => expander.word(volume)) };
}
