import { expect } from 'chai';
import { dispatchLines, stateAfter } from './dispatch-line.js';

describe('LABEL step', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['LABEL a=1', { a: '1' }, 'LABEL a=1'],
    ['LABEL l1=v1 "l 2"="v 2"', { l1: 'v1', 'l 2': 'v 2' }, 'LABEL l1=v1 l 2=v 2'],
    ['LABEL a=1\nLABEL a=2 b=$X', { a: '2', b: '' }, 'LABEL a=2 b='],
    ['ENV X=x\nLABEL "$X"=$X', { x: 'x' }, 'LABEL x=x'],
  ];
  for (const [lines, labels, createdBy] of cases) {
    it(JSON.stringify(lines), () => {
      const state = stateAfter(lines);
      expect(state.config.Labels).to.deep.equal(labels);
      expect(state.history[state.history.length - 1]!.created_by).to.equal(createdBy);
    });
  }
  it('describes the pairs in order', () => {
    expect(dispatchLines('LABEL b=1 a=2')[0]!.description.op).to.deep.equal({ labels: [['b', '1'], ['a', '2']] });
  });
});
