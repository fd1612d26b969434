import { expect } from 'chai';
import { PATH, dispatchLines, scratchState, stateAfter } from './dispatch-line.js';

describe('ENV step', () => {
  const cases: [string, string[], string][] = [
    ['ENV A=1', [PATH, 'A=1'], 'ENV A=1'],
    ['ENV A 1 2', [PATH, 'A=1 2'], 'ENV A=1 2'],
    ['ENV A=1 B="x y"', [PATH, 'A=1', 'B=x y'], 'ENV A=1 B=x y'],
    ['ENV A=1\nENV A=2 B=$A', [PATH, 'A=2', 'B=1'], 'ENV A=2 B=1'],
    ['ENV PATH=/x:$PATH', ['PATH=/x:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], 'ENV PATH=/x:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  ];
  for (const [lines, env, createdBy] of cases) {
    it(`${JSON.stringify(lines)} → Env ${JSON.stringify(env)}`, () => {
      const state = stateAfter(lines);
      expect(state.config.Env).to.deep.equal(env);
      expect(state.history[state.history.length - 1]).to.deep.equal({ created_by: createdBy, comment: 'buildkit.dockerfile.v0', empty_layer: true });
    });
  }
  it('replaces in place in the config but moves to the end of the build env', () => {
    const state = stateAfter('ENV A=1 B=2\nENV A=3', scratchState());
    expect(state.config.Env).to.deep.equal([PATH, 'A=3', 'B=2']);
    expect(state.buildEnv).to.deep.equal([PATH, 'B=2', 'A=3']);
  });
  it('describes the expanded pairs', () => {
    expect(dispatchLines('ENV A=1\nENV B=$A')[1]!.description.op).to.deep.equal({ env: [['B', '1']] });
  });
});
