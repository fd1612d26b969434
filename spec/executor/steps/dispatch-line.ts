// Spec helper: dispatches the instructions of a small Dockerfile's last stage onto a given state.
import { dispatchInstruction, type DispatchedInstruction } from '../../../executor/dispatch.js';
import type { ContainerConfig } from '../../../executor/image-config.js';
import { initialState, scratchBase } from '../../../executor/stage-state.js';
import type { DispatchContext, StageState } from '../../../executor/steps/types.js';
import { parseDockerfile } from '../../../parser/stages.js';
import type { BuildWarning } from '../../../parser/warnings.js';

export const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function scratchState(config: ContainerConfig = {}): StageState {
  return initialState({ stageIndex: 0, base: { ...scratchBase(), config }, platform: { os: 'linux', architecture: 'amd64' } });
}

export interface LineOptions {
  readonly buildArgs?: Record<string, string>;
  readonly metaArgs?: Record<string, string>;
  readonly warnings?: BuildWarning[];
}

export function contextFor(options: LineOptions = {}): DispatchContext {
  return {
    buildArgs: new Map(Object.entries(options.buildArgs ?? {})),
    metaArgs: new Map(Object.entries(options.metaArgs ?? {})),
    escapeToken: '\\',
    warn: (warning) => options.warnings?.push(warning),
  };
}

/** Every dispatch of `lines` (instructions after `FROM scratch`), in order, starting from `state`. */
export function dispatchLines(lines: string, state: StageState = scratchState(), options: LineOptions = {}): DispatchedInstruction[] {
  const parsed = parseDockerfile(`FROM scratch\n${lines}\n`);
  const ctx = contextFor(options);
  const out: DispatchedInstruction[] = [];
  for (const ins of parsed.stages[0]!.instructions) {
    const dispatched = dispatchInstruction(state, ins, ctx);
    out.push(dispatched);
    state = dispatched.state;
  }
  return out;
}

/** The state after `lines`. */
export function stateAfter(lines: string, state: StageState = scratchState(), options: LineOptions = {}): StageState {
  const all = dispatchLines(lines, state, options);
  return all.length === 0 ? state : all[all.length - 1]!.state;
}

/** The created_by of the last history entry after `lines`. */
export function lastCreatedBy(lines: string, state?: StageState, options?: LineOptions): string | undefined {
  const history = stateAfter(lines, state, options).history;
  return history[history.length - 1]?.created_by;
}
