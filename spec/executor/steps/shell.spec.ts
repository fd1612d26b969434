import { expect } from 'chai';
import { stateAfter } from './dispatch-line.js';

describe('SHELL step', () => {
  it('sets the shell and writes %v of the list', () => {
    const state = stateAfter('SHELL ["/bin/sh", "-ec"]');
    expect(state.config.Shell).to.deep.equal(['/bin/sh', '-ec']);
    expect(state.history[0]).to.deep.equal({ created_by: 'SHELL [/bin/sh -ec]', comment: 'buildkit.dockerfile.v0', empty_layer: true });
  });
});
