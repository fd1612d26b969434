import { expect } from 'chai';
import { stateAfter } from './dispatch-line.js';

describe('MAINTAINER step', () => {
  it('sets the author and writes its history entry', () => {
    const state = stateAfter('MAINTAINER Jane Doe <jane@example.com>');
    expect(state.author).to.equal('Jane Doe <jane@example.com>');
    expect(state.history[0]).to.deep.equal({ created_by: 'MAINTAINER Jane Doe <jane@example.com>', comment: 'buildkit.dockerfile.v0', empty_layer: true });
  });
});
