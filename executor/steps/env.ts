// ENV KEY=value ...: each pair replaces the config entry of that name where it stands (or is
// appended) and moves to the end of the build env; the line was expanded before any pair applied.
import { withHistory } from '../dispatch-history.js';
import { buildEnvOf, moveEnvToEnd, setEnvInPlace } from '../stage-state.js';
import type { StepHandler } from './types.js';

export const envHandler: StepHandler<'ENV'> = {
  kind: 'ENV',
  apply(state, ins) {
    let configEnv = [...(state.config.Env ?? [])];
    let buildEnv = [...buildEnvOf(state)];
    for (const { key, value } of ins.pairs) {
      configEnv = setEnvInPlace(configEnv, key, value);
      buildEnv = moveEnvToEnd(buildEnv, key, value);
    }
    const text = ins.pairs.map(({ key, value }) => ` ${key}=${value}`).join('');
    return withHistory({ ...state, config: { ...state.config, Env: configEnv }, buildEnv }, `ENV${text}`, false);
  },
  describe(_state, ins) {
    return { op: { env: ins.pairs.map(({ key, value }) => [key, value]) } };
  },
};
