import { expect } from 'chai';
import { expandWorkdir, parseWorkdir } from '../../../parser/instructions/workdir.js';
import { fakeExpander, itParses, nodeOf } from './nodes.js';

describe('WORKDIR', () => {
  itParses(
    [
      { name: 'absolute', text: 'WORKDIR /app', expected: { kind: 'WORKDIR', path: '/app' } },
      { name: 'relative', text: 'WORKDIR src', expected: { path: 'src' } },
      { name: 'nothing', text: 'WORKDIR', error: 'WORKDIR requires exactly one argument' },
      { name: 'flags', text: 'WORKDIR --mkdir /x', error: 'unknown flag: --mkdir' },
    ],
    parseWorkdir,
  );
  it('expands', () => expect(expandWorkdir(parseWorkdir(nodeOf('WORKDIR $HOME/src')), fakeExpander({ HOME: '/root' })).path).to.equal('/root/src'));
});
