// MAINTAINER name: deprecated (BuildKit warns MaintainerDeprecated), kept as written, never expanded.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { instructionBase, requireExactlyOneArgument, type InstructionBase } from './instruction-base.js';

export interface MaintainerInstruction extends InstructionBase {
  readonly kind: 'MAINTAINER';
  readonly maintainer: string;
}

export function parseMaintainer(node: SyntaxNode): MaintainerInstruction {
  const maintainer = requireExactlyOneArgument(node, 'MAINTAINER');
  parseFlags(node.flags, {}, node.range);
  return { kind: 'MAINTAINER', ...instructionBase(node), maintainer };
}
