// COPY [--from] [--chown] [--chmod] [--link] [--parents] [--exclude]... src... dest: files from
// the context, another stage or an image. `--from` must be literal (no variables): it decides the
// stage graph before anything is expanded.
import { boolFlag, parseFlags, stringFlag, stringsFlag } from '../flags.js';
import { envFromEntries, expandWord } from '../shell-words.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { expandSourcesAndDest, parseSourcesAndDest, requireSourceAndDest, type SourcesAndDest } from './copy-sources.js';
import { expandPresentFields, type Expander } from './expander.js';
import {
  DEFAULT_PARSE_CONTEXT,
  instructionBase,
  instructionError,
  locatedErrors,
  type InstructionBase,
  type ParseContext,
} from './instruction-base.js';

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

const NO_VARIABLES = envFromEntries([]);

/**
 * BuildKit's rule for `--from`: expanding it against an empty environment must not change it, so
 * variables, quotes and escapes are all refused (a stage named by a global ARG needs its own FROM).
 */
function checkLiteralFrom(node: SyntaxNode, from: string, context: ParseContext): void {
  const expanded = locatedErrors(node, () => expandWord(from, NO_VARIABLES, { escapeToken: context.escapeToken }).value);
  if (expanded !== from) {
    throw instructionError(node, 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
  }
}

export function parseCopy(node: SyntaxNode, context: ParseContext = DEFAULT_PARSE_CONTEXT): CopyInstruction {
  requireSourceAndDest(node, 'COPY');
  const { values } = parseFlags(node.flags, COPY_FLAGS, node.range);
  const sourcesAndDest = parseSourcesAndDest(node, 'COPY');
  if (values.from !== '') checkLiteralFrom(node, values.from, context);
  return {
    kind: 'COPY',
    ...instructionBase(node),
    ...sourcesAndDest,
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
