// ONBUILD instruction: registers a trigger that runs when another build uses this image as its
// base. The trigger is stored as text (heredoc bodies re-attached) and never expanded here: the
// child build parses and expands it in its own context.
import { parseFlags } from '../flags.js';
import type { SyntaxNode } from '../syntax-tree.js';
import type { Instruction } from './index.js';
import { instructionBase, instructionError, type InstructionBase, type ParseContext } from './instruction-base.js';

export interface OnbuildInstruction extends InstructionBase {
  readonly kind: 'ONBUILD';
  /** The trigger as BuildKit stores it in the image config: `RUN echo hi`, heredoc bodies appended. */
  readonly expression: string;
  /** The trigger's keyword, upper-cased (`RUN`). */
  readonly triggerKeyword: string;
  /**
   * The trigger as a typed instruction, when it parses. BuildKit checks triggers only in the child
   * build, so one that does not parse (unknown flag...) is not an error here and is left out.
   */
  readonly trigger?: Instruction;
}

const FORBIDDEN_TRIGGERS = new Set(['MAINTAINER', 'FROM']);
// Go's `(?i)^\s*ONBUILD\s*`: `\s` there is ASCII whitespace without the vertical tab.
const ONBUILD_PREFIX = /^[\t\n\f\r ]*onbuild[\t\n\f\r ]*/i;

/** The stored trigger text: the line without `ONBUILD`, then each heredoc's body and terminator. */
function triggerExpression(node: SyntaxNode): string {
  let expression = node.original.replace(ONBUILD_PREFIX, '');
  for (const heredoc of node.heredocs) expression += `\n${heredoc.content}${heredoc.name}`;
  return expression;
}

type TriggerParser = (node: SyntaxNode, context: ParseContext) => Instruction;

function tryParse(trigger: SyntaxNode, parseTrigger: TriggerParser, context: ParseContext): Instruction | undefined {
  try {
    return parseTrigger(trigger, context);
  } catch {
    return undefined;
  }
}

/** `parseTrigger` is the general instruction parser (passed in to keep the modules acyclic). */
export function parseOnbuild(node: SyntaxNode, context: ParseContext, parseTrigger: TriggerParser): OnbuildInstruction {
  const next = node.next;
  if (next === undefined) throw instructionError(node, 'ONBUILD requires at least one argument');
  parseFlags(node.flags, {}, node.range);
  const triggerKeyword = next.keywordAsWritten.toUpperCase();
  if (triggerKeyword === 'ONBUILD') throw instructionError(node, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (FORBIDDEN_TRIGGERS.has(triggerKeyword)) throw instructionError(node, `${triggerKeyword} isn't allowed as an ONBUILD trigger`);
  const trigger = tryParse({ ...next, heredocs: node.heredocs }, parseTrigger, context);
  return {
    kind: 'ONBUILD',
    ...instructionBase(node),
    expression: triggerExpression(node),
    triggerKeyword,
    ...(trigger !== undefined ? { trigger } : {}),
  };
}
