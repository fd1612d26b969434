import { expect } from 'chai';
import { checkSignal } from '../../../executor/steps/stopsignal.js';
import { stateAfter } from './dispatch-line.js';

describe('STOPSIGNAL step', () => {
  for (const signal of ['SIGKILL', '9', 'term', 'SIGRTMIN+3', 'RTMAX-1', '255']) {
    it(`accepts ${signal}, stored as written`, () => {
      const state = stateAfter(`STOPSIGNAL ${signal}`);
      expect(state.config.StopSignal).to.equal(signal);
      expect(state.history[0]!.created_by).to.equal(`STOPSIGNAL ${signal}`);
    });
  }
  for (const signal of ['0', '256', 'SIGNOPE', 'RTMIN+16', '']) {
    it(`rejects ${JSON.stringify(signal)}`, () => expect(() => checkSignal(signal)).to.throw(`Invalid signal: ${signal}`));
  }
});
