// LABEL key=value ...: merged into the config's labels, later pairs winning.
import { withHistory } from '../dispatch-history.js';
import type { StepHandler } from './types.js';

export const labelHandler: StepHandler<'LABEL'> = {
  kind: 'LABEL',
  apply(state, ins) {
    const labels: Record<string, string> = { ...(state.config.Labels ?? {}) };
    for (const { key, value } of ins.pairs) labels[key] = value;
    const text = ins.pairs.map(({ key, value }) => ` ${key}=${value}`).join('');
    return withHistory({ ...state, config: { ...state.config, Labels: labels } }, `LABEL${text}`, false);
  },
  describe(_state, ins) {
    return { op: { labels: ins.pairs.map(({ key, value }) => [key, value]) } };
  },
};
