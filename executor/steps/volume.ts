// VOLUME path ...: paths added to the config's Volumes as written (no cleaning, as BuildKit).
import { goPlainList, withHistory } from '../dispatch-history.js';
import type { StepHandler } from './types.js';

export const volumeHandler: StepHandler<'VOLUME'> = {
  kind: 'VOLUME',
  apply(state, ins) {
    const volumes: Record<string, Record<string, never>> = { ...(state.config.Volumes ?? {}) };
    for (const volume of ins.volumes) {
      if (volume === '') throw new Error('VOLUME specified can not be an empty string');
      volumes[volume] = {};
    }
    return withHistory({ ...state, config: { ...state.config, Volumes: volumes } }, `VOLUME ${goPlainList(ins.volumes)}`, false);
  },
  describe(_state, ins) {
    return { op: { volumes: [...ins.volumes] } };
  },
};
