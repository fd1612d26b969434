// SHELL ["exe", "args"...]: the shell later shell-form RUN, CMD and ENTRYPOINT go through.
import { goPlainList, withHistory } from '../dispatch-history.js';
import type { StepHandler } from './types.js';

export const shellHandler: StepHandler<'SHELL'> = {
  kind: 'SHELL',
  apply(state, ins) {
    return withHistory({ ...state, config: { ...state.config, Shell: [...ins.shell] } }, `SHELL ${goPlainList(ins.shell)}`, false);
  },
  describe(_state, ins) {
    return { op: { shell: [...ins.shell] } };
  },
};
