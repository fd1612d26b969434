// COPY [--from] [--chown] [--chmod] [--link] [--parents] [--exclude]... src... dest: files from
// the context, another stage or an image. `--from` must be literal (no variables): it decides the
// stage graph before anything is expanded.
import { boolFlag, parseFlags, stringFlag, stringsFlag } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { expandSourcesAndDest, parseSourcesAndDest, requireSourceAndDest, type SourcesAndDest } from './copy-sources.js';
import { expandPresentFields, type Expander } from './expander.js';
import { instructionBase, type InstructionBase } from './instruction-base.js';

export interface CopyInstruction extends InstructionBase, SourcesAndDest {
  readonly kind: 'COPY';
  /** A stage name (any case), a stage index, or an image reference; never expanded. */
  readonly from?: string;
  /** `user[:group]`; absent or empty means root. */
  readonly chown?: string;
  /** Octal (`0755`) or symbolic (`u+x`) mode. */
  readonly chmod?: string;
  readonly link: boolean;
  /** Keep the source's parent directories under the destination. */
  readonly parents: boolean;
  /** Exclude patterns; never expanded. */
  readonly exclude: readonly string[];
}

const COPY_FLAGS = {
  chown: stringFlag(),
  from: stringFlag(),
  chmod: stringFlag(),
  link: boolFlag(),
  exclude: stringsFlag(),
  parents: boolFlag(),
};

export function parseCopy(node: SyntaxNode): CopyInstruction {
  requireSourceAndDest(node, 'COPY');
  const { values } = parseFlags(node.flags, COPY_FLAGS, node.range);
  return {
    kind: 'COPY',
    ...instructionBase(node),
    ...parseSourcesAndDest(node, 'COPY'),
    ...(values.from !== '' ? { from: values.from } : {}),
    ...(values.chown !== '' ? { chown: values.chown } : {}),
    ...(values.chmod !== '' ? { chmod: values.chmod } : {}),
    link: values.link,
    parents: values.parents,
    exclude: values.exclude,
  };
}

export function expandCopy(instruction: CopyInstruction, expander: Expander): CopyInstruction {
  return {
    ...instruction,
    ...expandPresentFields(instruction, ['chown', 'chmod'], expander),
    ...expandSourcesAndDest(instruction, expander),
  };
}
