// ARG NAME[=default] ...: declares build arguments for the rest of the stage. The value is the
// `--build-arg` given for the name, else the (expanded) default, else the global ARG's value for a
// bare `ARG NAME`. A name with a value joins the build env (so it shadows an earlier ENV for
// expansion and RUN) but never the image config. History shows the default, not the value.
import type { ArgDefinition, ArgInstruction } from '../../parser/instructions/arg.js';
import { withHistory } from '../dispatch-history.js';
import { buildEnvOf, moveEnvToEnd } from '../stage-state.js';
import type { DispatchContext, StageArg, StageState, StepHandler } from './types.js';

/** BuildKit's SBOM switches: build arguments that never become environment variables. */
export const NON_ENV_ARGS: ReadonlySet<string> = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

/** The value an ARG definition takes in this build (undefined: declared without one). */
export function argValue(definition: ArgDefinition, ctx: Pick<DispatchContext, 'buildArgs' | 'metaArgs'>): string | undefined {
  const given = ctx.buildArgs.get(definition.key);
  if (given !== undefined) return given;
  if (definition.value !== undefined) return definition.value;
  return ctx.metaArgs.get(definition.key);
}

function stageArgs(ins: ArgInstruction, ctx: DispatchContext): StageArg[] {
  return ins.args.map((definition) => {
    const value = argValue(definition, ctx);
    return value === undefined ? { name: definition.key } : { name: definition.key, value };
  });
}

function declare(state: StageState, args: readonly StageArg[]): StageState {
  let buildEnv = [...buildEnvOf(state)];
  for (const arg of args) {
    if (arg.value !== undefined && !NON_ENV_ARGS.has(arg.name)) buildEnv = moveEnvToEnd(buildEnv, arg.name, arg.value);
  }
  return { ...state, args: [...state.args, ...args], buildEnv };
}

export const argHandler: StepHandler<'ARG'> = {
  kind: 'ARG',
  apply(state, ins, ctx) {
    const text = ins.args.map(({ key, value }) => (value === undefined ? key : `${key}=${value}`)).join(' ');
    return withHistory(declare(state, stageArgs(ins, ctx)), `ARG ${text}`, false);
  },
  // Names only: a value reaches a key through the steps that use it (RUN's env, an expanded COPY
  // path), so a changed build arg leaves a COPY that ignores it cached, as in BuildKit.
  describe(_state, ins, ctx) {
    return { op: { args: stageArgs(ins, ctx).map((arg) => arg.name) } };
  },
};
