import { expect } from 'chai';
import { stateAfter } from './dispatch-line.js';

describe('ONBUILD step', () => {
  it('stores trigger text as written, unexpanded, and writes no history', () => {
    const state = stateAfter('ENV A=1\nONBUILD RUN echo on   build\nONBUILD ENV Q=$A');
    expect(state.config.OnBuild).to.deep.equal(['RUN echo on   build', 'ENV Q=$A']);
    expect(state.history.map((h) => h.created_by)).to.deep.equal(['ENV A=1']);
  });
});
