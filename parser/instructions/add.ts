// ADD [--chown] [--chmod] [--link] [--keep-git-dir] [--checksum] [--unpack] [--exclude]... src... dest:
// like COPY, but sources may also be URLs or Git references, and local archives are unpacked.
import { boolFlag, parseFlags, stringFlag, stringsFlag } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { expandSourcesAndDest, parseSourcesAndDest, requireSourceAndDest, type SourcesAndDest } from './copy-sources.js';
import { expandPresentFields, type Expander } from './expander.js';
import { instructionBase, type InstructionBase } from './instruction-base.js';

export interface AddInstruction extends InstructionBase, SourcesAndDest {
  readonly kind: 'ADD';
  /** `user[:group]`; absent or empty means root. */
  readonly chown?: string;
  /** Octal (`0755`) or symbolic (`u+x`) mode. */
  readonly chmod?: string;
  readonly link: boolean;
  /** Exclude patterns; never expanded. */
  readonly exclude: readonly string[];
  /** Absent unless `--keep-git-dir` was given. */
  readonly keepGitDir?: boolean;
  /** A digest (`sha256:...`) for URLs, or a commit for Git sources. */
  readonly checksum?: string;
  /** Absent unless `--unpack` was given: local archives unpack by default, downloads do not. */
  readonly unpack?: boolean;
}

const ADD_FLAGS = {
  chown: stringFlag(),
  chmod: stringFlag(),
  link: boolFlag(),
  'keep-git-dir': boolFlag(),
  checksum: stringFlag(),
  unpack: boolFlag(),
  exclude: stringsFlag(),
};

export function parseAdd(node: SyntaxNode): AddInstruction {
  requireSourceAndDest(node, 'ADD');
  const { values, used } = parseFlags(node.flags, ADD_FLAGS, node.range);
  return {
    kind: 'ADD',
    ...instructionBase(node),
    ...parseSourcesAndDest(node, 'ADD'),
    ...(values.chown !== '' ? { chown: values.chown } : {}),
    ...(values.chmod !== '' ? { chmod: values.chmod } : {}),
    link: values.link,
    exclude: values.exclude,
    ...(used.includes('keep-git-dir') ? { keepGitDir: values['keep-git-dir'] } : {}),
    ...(values.checksum !== '' ? { checksum: values.checksum } : {}),
    ...(used.includes('unpack') ? { unpack: values.unpack } : {}),
  };
}

export function expandAdd(instruction: AddInstruction, expander: Expander): AddInstruction {
  return {
    ...instruction,
    ...expandPresentFields(instruction, ['chown', 'chmod', 'checksum'], expander),
    ...expandSourcesAndDest(instruction, expander),
  };
}
