import { expect } from 'chai';
import { expandStopsignal, parseStopsignal } from '../../../parser/instructions/stopsignal.js';
import { fakeExpander, itParses, nodeOf } from './nodes.js';

describe('STOPSIGNAL', () => {
  itParses(
    [
      { name: 'name', text: 'STOPSIGNAL SIGQUIT', expected: { kind: 'STOPSIGNAL', signal: 'SIGQUIT' } },
      { name: 'flags are ignored, as in BuildKit', text: 'STOPSIGNAL --x 9', expected: { signal: '9' } },
      { name: 'nothing', text: 'STOPSIGNAL', error: 'STOPSIGNAL requires exactly one argument' },
    ],
    parseStopsignal,
  );
  it('expands', () => expect(expandStopsignal(parseStopsignal(nodeOf('STOPSIGNAL $S')), fakeExpander({ S: 'SIGINT' })).signal).to.equal('SIGINT'));
});
