// `tsbuild build --dry-run`: the plan of a build as plain data — stages in the order they would
// run, each step with its variables expanded — computed without touching disk or running
// anything. Base images are not consulted: their ENV is unknown here, so variables a base image
// would define expand to nothing (and are not reported as undefined).
import type { Json } from '../../cache/cache-key.js';
import { dispatchInstruction } from '../../executor/dispatch.js';
import type { Platform } from '../../executor/image-config.js';
import { initialState, scratchBase, type StageBase } from '../../executor/stage-state.js';
import type { DispatchContext, StageState } from '../../executor/steps/types.js';
import type { Instruction } from '../../parser/instructions/index.js';
import { planBuild, type BuildPlan, type PlannedStage } from '../../parser/plan.js';
import type { ParsedDockerfile } from '../../parser/stages.js';
import type { BuildWarning } from '../../parser/warnings.js';
import { renderInstruction } from './render-instruction.js';

export interface PlanStepView {
  readonly line: number;
  readonly kind: Instruction['kind'];
  /** The instruction as written. */
  readonly original: string;
  /** The instruction after expansion, as one Dockerfile line. */
  readonly expanded: string;
  /** What enters the step's cache key (its `op`). */
  readonly op: Json;
}

export interface PlanStageView {
  readonly index: number;
  readonly name?: string;
  readonly base: PlannedStage['base'];
  readonly platform?: string;
  readonly dependsOn: readonly number[];
  readonly steps: readonly PlanStepView[];
}

export interface PlanView {
  readonly target: { readonly index: number; readonly name?: string };
  readonly stages: readonly PlanStageView[];
  readonly unusedBuildArgs: readonly string[];
  readonly warnings: readonly BuildWarning[];
}

export interface PlanViewOptions {
  readonly target?: string;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly platform: Platform;
  readonly file: string;
}

/** Plans `parsed` and folds every planned stage over its instructions (apply and describe only). */
export function viewPlan(parsed: ParsedDockerfile, options: PlanViewOptions): PlanView {
  const plan = planBuild(parsed, {
    ...(options.target !== undefined ? { target: options.target } : {}),
    buildArgs: options.buildArgs,
    platform: options.platform,
    file: options.file,
  });
  const warnings: BuildWarning[] = [...plan.warnings];
  const finalStates = new Map<number, StageState>();
  const stages = plan.stages.map((planned) => viewStage(planned, plan, parsed, options, finalStates, warnings));
  const target = plan.stages.find((s) => s.stage.index === plan.target)!.stage;
  return { target: { index: target.index, ...(target.name ? { name: target.name } : {}) }, stages, unusedBuildArgs: plan.unusedBuildArgs, warnings };
}

function viewStage(
  planned: PlannedStage,
  plan: BuildPlan,
  parsed: ParsedDockerfile,
  options: PlanViewOptions,
  finalStates: Map<number, StageState>,
  warnings: BuildWarning[],
): PlanStageView {
  const { stage, base } = planned;
  let state = baseState(planned, options.platform, finalStates);
  const baseKnown = base.kind !== 'image';
  const ctx: DispatchContext = {
    buildArgs: options.buildArgs,
    metaArgs: plan.metaArgs,
    escapeToken: parsed.escapeToken,
    // Variables an image's ENV would define are unknown here: only report them for known bases.
    warn: (warning) => { if (baseKnown || warning.rule !== 'UndefinedVar') warnings.push(warning); },
  };
  const steps: PlanStepView[] = [];
  for (const instruction of stage.instructions) {
    const dispatched = dispatchInstruction(state, instruction, ctx);
    steps.push({
      line: instruction.range.start.line,
      kind: instruction.kind,
      original: instruction.original,
      expanded: renderInstruction(dispatched.expanded),
      op: dispatched.description.op,
    });
    state = dispatched.state;
  }
  finalStates.set(stage.index, state);
  return {
    index: stage.index,
    ...(stage.name ? { name: stage.name } : {}),
    base,
    ...(planned.platform !== undefined ? { platform: planned.platform } : {}),
    dependsOn: planned.dependsOn,
    steps,
  };
}

function baseState(planned: PlannedStage, platform: Platform, finalStates: ReadonlyMap<number, StageState>): StageState {
  const { base, stage } = planned;
  return initialState({ stageIndex: stage.index, base: stageBase(base, finalStates), platform });
}

/** A parent stage carries its whole state over (ARG values included, as BuildKit does); images are not read here. */
function stageBase(base: PlannedStage['base'], finalStates: ReadonlyMap<number, StageState>): StageBase {
  if (base.kind === 'scratch') return scratchBase();
  if (base.kind === 'image') return { config: {}, layers: [], history: [], key: `image:${base.ref}` };
  const parent = finalStates.get(base.index)!;
  return {
    config: parent.config,
    layers: parent.layers,
    history: parent.history,
    key: parent.key,
    ...(parent.buildEnv !== undefined ? { buildEnv: parent.buildEnv } : {}),
    ...(parent.author !== undefined ? { author: parent.author } : {}),
  };
}
