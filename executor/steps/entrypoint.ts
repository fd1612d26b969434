// ENTRYPOINT: like CMD's forms; `ENTRYPOINT []` clears it. An inherited CMD is dropped unless a
// CMD was given earlier in the same stage (BuildKit's cmdSet).
import { goQuotedList, withHistory } from '../dispatch-history.js';
import { commandOp, imageCommand, withCommandField } from './cmd.js';
import type { StepHandler } from './types.js';

export const entrypointHandler: StepHandler<'ENTRYPOINT'> = {
  kind: 'ENTRYPOINT',
  apply(state, ins) {
    const args = imageCommand(state.config, ins.command);
    let config = withCommandField(state.config, 'Entrypoint', args);
    if (state.cmdSet !== true) config = withCommandField(config, 'Cmd', []);
    return withHistory({ ...state, config }, `ENTRYPOINT ${goQuotedList(args)}`, false);
  },
  describe(_state, ins) {
    return { op: commandOp(ins.command) };
  },
};
