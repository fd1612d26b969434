// USER user[:group]: stored as written; resolved against the rootfs only when something runs.
import { withHistory } from '../dispatch-history.js';
import type { StepHandler } from './types.js';

export const userHandler: StepHandler<'USER'> = {
  kind: 'USER',
  apply(state, ins) {
    return withHistory({ ...state, config: { ...state.config, User: ins.user } }, `USER ${ins.user}`, false);
  },
  describe(_state, ins) {
    return { op: { user: ins.user } };
  },
};
