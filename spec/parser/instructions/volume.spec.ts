import { expect } from 'chai';
import { expandVolume, parseVolume } from '../../../parser/instructions/volume.js';
import { fakeExpander, itParses, nodeOf } from './nodes.js';

describe('VOLUME', () => {
  itParses(
    [
      { name: 'words', text: 'VOLUME /data /logs', expected: { kind: 'VOLUME', volumes: ['/data', '/logs'] } },
      { name: 'JSON form, trimmed', text: 'VOLUME [" /data ", "/my logs"]', expected: { volumes: ['/data', '/my logs'] } },
      { name: 'nothing', text: 'VOLUME', error: 'VOLUME requires at least one argument' },
      { name: 'empty path', text: 'VOLUME ["/a", " "]', error: 'VOLUME specified can not be an empty string' },
      { name: 'flags', text: 'VOLUME --x /a', error: 'unknown flag: --x' },
    ],
    parseVolume,
  );
  it('expands each path', () => expect(expandVolume(parseVolume(nodeOf('VOLUME $A /b')), fakeExpander({ A: '/a' })).volumes).to.deep.equal(['/a', '/b']));
});
