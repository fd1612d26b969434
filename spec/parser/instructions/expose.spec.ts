import { expect } from 'chai';
import { expandExpose, parseExpose } from '../../../parser/instructions/expose.js';
import { dockerfileErrorOf, fakeExpander, itParses, nodeOf } from './nodes.js';

describe('EXPOSE', () => {
  itParses(
    [
      { name: 'one port', text: 'EXPOSE 80', expected: { kind: 'EXPOSE', ports: ['80'] } },
      { name: 'sorted as strings', text: 'EXPOSE 8080 443/tcp 53/udp 1000', expected: { ports: ['1000', '443/tcp', '53/udp', '8080'] } },
      { name: 'variables kept', text: 'EXPOSE $PORTS', expected: { ports: ['$PORTS'] } },
      { name: 'not checked before expansion', text: 'EXPOSE nonsense', expected: { ports: ['nonsense'] } },
      { name: 'no arguments', text: 'EXPOSE', error: 'EXPOSE requires at least one argument' },
      { name: 'flags', text: 'EXPOSE --udp 53', error: 'unknown flag: --udp' },
    ],
    parseExpose,
  );

  it('expands with word splitting', () => {
    const expanded = expandExpose(parseExpose(nodeOf('EXPOSE $PORTS 9000')), fakeExpander({ PORTS: '3000 4000/udp' }));
    expect(expanded.ports).to.deep.equal(['3000', '4000/udp', '9000']);
  });

  it('checks the expanded specs', () => {
    const error = dockerfileErrorOf(() => expandExpose(parseExpose(nodeOf('EXPOSE $P')), fakeExpander({ P: '80/http' })));
    expect(error.message).to.equal('invalid port: "80/http": invalid proto: http');
    expect(error.code).to.equal('E_INSTRUCTION');
  });
});
