// MAINTAINER name (deprecated): becomes the image's author.
import { withHistory } from '../dispatch-history.js';
import type { StepHandler } from './types.js';

export const maintainerHandler: StepHandler<'MAINTAINER'> = {
  kind: 'MAINTAINER',
  apply(state, ins) {
    return withHistory({ ...state, author: ins.maintainer }, `MAINTAINER ${ins.maintainer}`, false);
  },
  describe(_state, ins) {
    return { op: { maintainer: ins.maintainer } };
  },
};
