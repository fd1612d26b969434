// ONBUILD trigger: the trigger text is appended to the config's OnBuild for child builds. BuildKit
// writes no history entry for it.
import type { StepHandler } from './types.js';

export const onbuildHandler: StepHandler<'ONBUILD'> = {
  kind: 'ONBUILD',
  apply(state, ins) {
    return { ...state, config: { ...state.config, OnBuild: [...(state.config.OnBuild ?? []), ins.expression] } };
  },
  describe(_state, ins) {
    return { op: { trigger: ins.expression } };
  },
};
