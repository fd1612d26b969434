// ARG NAME[=default] ...: several per line. `ARG X` (no default) and `ARG X=` (empty default)
// differ: only the second puts X into the environment. Flags are never checked, as in BuildKit.
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionBase, instructionError, requireAtLeastOneArgument, type InstructionBase } from './instruction-base.js';

export interface ArgDefinition {
  readonly key: string;
  /** The default as written (quotes kept); absent for `ARG X`. */
  readonly value?: string;
  /** The text of a comment line `# KEY text` directly above, without `KEY `. */
  readonly docComment?: string;
}

export interface ArgInstruction extends InstructionBase {
  readonly kind: 'ARG';
  readonly args: readonly ArgDefinition[];
}

/** `key=value` splits at the first `=`; without one there is no value. */
export function splitKeyValue(text: string): { key: string; value?: string } {
  const equals = text.indexOf('=');
  return equals < 0 ? { key: text } : { key: text.slice(0, equals), value: text.slice(equals + 1) };
}

/** The comment above that documents `name`: a line starting `name ` (BuildKit's doc comments). */
export function docCommentFor(comments: readonly string[], name: string): string | undefined {
  if (name === '') return undefined;
  const line = comments.find((comment) => comment.startsWith(`${name} `));
  const text = line?.slice(name.length + 1);
  return text === '' ? undefined : text;
}

export function parseArg(node: SyntaxNode): ArgInstruction {
  requireAtLeastOneArgument(node, 'ARG');
  const args = node.args.map((word): ArgDefinition => {
    const { key, value } = splitKeyValue(word);
    if (value !== undefined && key === '') throw instructionError(node, 'ARG names can not be blank');
    const docComment = docCommentFor(node.comments, key);
    return { key, ...(value !== undefined ? { value } : {}), ...(docComment !== undefined ? { docComment } : {}) };
  });
  return { kind: 'ARG', ...instructionBase(node), args };
}

/**
 * Expands a default. Not part of expandInstruction: BuildKit expands a default only when no build
 * arg overrides it (an error in an unused default never fires), so the plan decides per ARG.
 */
export function expandArgDefault(definition: ArgDefinition, expander: Expander): ArgDefinition {
  return definition.value === undefined ? definition : { ...definition, value: expander.word(definition.value) };
}
