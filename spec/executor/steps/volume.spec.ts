import { expect } from 'chai';
import { stateAfter } from './dispatch-line.js';

describe('VOLUME step', () => {
  const cases: [string, string[], string][] = [
    ['VOLUME /data', ['/data'], 'VOLUME [/data]'],
    ['VOLUME ["/a", "/b"]', ['/a', '/b'], 'VOLUME [/a /b]'],
    ['VOLUME /data ["/logs"]', ['/data', '[/logs]'], 'VOLUME [/data [/logs]]'],
    ['ENV D=/d\nVOLUME $D/x', ['/d/x'], 'VOLUME [/d/x]'],
  ];
  for (const [lines, volumes, createdBy] of cases) {
    it(JSON.stringify(lines), () => {
      const state = stateAfter(lines);
      expect(Object.keys(state.config.Volumes ?? {}).sort()).to.deep.equal(volumes.sort());
      expect(state.history[state.history.length - 1]!.created_by).to.equal(createdBy);
    });
  }
});
