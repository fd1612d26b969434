// EXPOSE port[/proto] ...: each spec becomes `port/proto` keys (protocol lower-cased, tcp by
// default, one key per port of a range) added to the config's ExposedPorts.
import { exposedPorts } from '../../parser/port-spec.js';
import { goSetText, withHistory } from '../dispatch-history.js';
import type { StepHandler } from './types.js';

export const exposeHandler: StepHandler<'EXPOSE'> = {
  kind: 'EXPOSE',
  apply(state, ins) {
    const ports = [...new Set(exposedPorts(ins.ports))];
    const exposed: Record<string, Record<string, never>> = { ...(state.config.ExposedPorts ?? {}) };
    for (const port of ports) exposed[port] = {};
    return withHistory({ ...state, config: { ...state.config, ExposedPorts: exposed } }, `EXPOSE ${goSetText(ports)}`, false);
  },
  describe(_state, ins) {
    return { op: { ports: [...new Set(exposedPorts(ins.ports))].sort() } };
  },
};
