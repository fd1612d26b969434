// One instruction of a stage, the way BuildKit's dispatcher takes it: expand its words against the
// stage's build env (reporting variables that are not set), describe it for the cache key, and
// fold it into the state. ONBUILD triggers of the base run first, right after FROM.
import { expandArgDefault, type ArgDefinition, type ArgInstruction } from '../parser/instructions/arg.js';
import { shellExpander, type Expander } from '../parser/instructions/expander.js';
import { expandInstruction, type Instruction, type InstructionOf } from '../parser/instructions/index.js';
import { locatedErrors } from '../parser/instructions/instruction-base.js';
import { parseOnbuildTrigger } from '../parser/stages.js';
import type { ContainerConfig } from './image-config.js';
import { undefinedVarReporter } from './dispatch-warnings.js';
import { expansionEnv } from './stage-state.js';
import { stepHandlerFor } from './steps/index.js';
import type { DispatchContext, StageState, StepDescription, StepHandler } from './steps/types.js';

type SourceRange = Instruction['range'];

export interface DispatchedInstruction<I extends Instruction = Instruction> {
  /** The state after the step (apply). */
  readonly state: StageState;
  /** The instruction with its words expanded; what describe and execute are given. */
  readonly expanded: I;
  /** What enters the step's cache key, computed from the state before the step. */
  readonly description: StepDescription;
  readonly handler: StepHandler<I['kind']>;
}

/** The expander over the stage's build env, reporting unset variables through ctx.warn. */
export function stageExpander(state: StageState, ins: Instruction, ctx: DispatchContext): Expander {
  const onUnmatched = undefinedVarReporter(state, ins.range, ctx.warn);
  return shellExpander(expansionEnv(state), { escapeToken: ctx.escapeToken, onUnmatched });
}

/** A default overridden by a build arg: expanded for the history text only, never an error or a warning. */
function quietDefault(state: StageState, definition: ArgDefinition, ctx: DispatchContext): ArgDefinition {
  try {
    return expandArgDefault(definition, shellExpander(expansionEnv(state), { escapeToken: ctx.escapeToken }));
  } catch {
    return definition;
  }
}

/** ARG defaults are expanded against the env before the line, and only used when no build arg overrides them. */
function expandArg(state: StageState, ins: ArgInstruction, ctx: DispatchContext): ArgInstruction {
  const expander = stageExpander(state, ins, ctx);
  const args = ins.args.map((definition) => {
    if (definition.value === undefined) return definition;
    if (ctx.buildArgs.has(definition.key)) return quietDefault(state, definition, ctx);
    return locatedErrors(ins, () => expandArgDefault(definition, expander), 'E_EXPANSION');
  });
  return { ...ins, args };
}

export function expandForStage<I extends Instruction>(state: StageState, ins: I, ctx: DispatchContext): I {
  if (ins.kind === 'ARG') return expandArg(state, ins, ctx) as I;
  return expandInstruction(ins, stageExpander(state, ins, ctx));
}

/** Expands, describes and applies one instruction of a stage (FROM is not a step). */
export function dispatchInstruction<I extends Instruction>(state: StageState, ins: I, ctx: DispatchContext): DispatchedInstruction<I> {
  const handler = stepHandlerFor(ins.kind) as unknown as StepHandler<I['kind']>;
  const expanded = expandForStage(state, ins, ctx);
  const typed = expanded as unknown as InstructionOf<I['kind']>;
  const description = locatedErrors(ins, () => handler.describe(state, typed, ctx));
  const next = locatedErrors(ins, () => handler.apply(state, typed, ctx));
  return { state: next, expanded, description, handler };
}

/**
 * The base image's ONBUILD triggers as instructions, to dispatch right after FROM and before the
 * stage's own instructions. Errors are located at the FROM. initialState already left them out of
 * the child's config.
 */
export function onbuildTriggers(baseConfig: ContainerConfig, fromRange: SourceRange): Instruction[] {
  return (baseConfig.OnBuild ?? []).map((trigger) => parseOnbuildTrigger(trigger, fromRange));
}
