// EXPOSE port[/proto] ...: the words are kept as written (sorted, as BuildKit stores them), then
// expanded with word splitting (`EXPOSE $PORTS` may give several) and checked as port specs.
import { DockerfileError } from '../../lib/errors.js';
import { parseFlags } from '../flags.js';
import { parsePortSpec } from '../port-spec.js';
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionBase, requireAtLeastOneArgument, type InstructionBase } from './instruction-base.js';

export interface ExposeInstruction extends InstructionBase {
  readonly kind: 'EXPOSE';
  /** Port specs (`80`, `53/udp`, `8000-8010`); after expansion one per word. See parsePortSpec. */
  readonly ports: readonly string[];
}

/** Go's sort order for strings: by UTF-8 bytes, which is code point order. */
function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a, (char) => char.codePointAt(0)!);
  const right = Array.from(b, (char) => char.codePointAt(0)!);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    if (left[index] !== right[index]) return left[index]! - right[index]!;
  }
  return left.length - right.length;
}

export function parseExpose(node: SyntaxNode): ExposeInstruction {
  requireAtLeastOneArgument(node, 'EXPOSE');
  parseFlags(node.flags, {}, node.range);
  return { kind: 'EXPOSE', ...instructionBase(node), ports: [...node.args].sort(compareCodePoints) };
}

/** Expands and splits each word, then checks every resulting spec (BuildKit does both when dispatching). */
export function expandExpose(instruction: ExposeInstruction, expander: Expander): ExposeInstruction {
  const ports = instruction.ports.flatMap((port) => expander.words(port));
  for (const port of ports) {
    try {
      parsePortSpec(port);
    } catch (error) {
      throw new DockerfileError('E_INSTRUCTION', (error as Error).message, instruction.range, { cause: error });
    }
  }
  return { ...instruction, ports };
}
