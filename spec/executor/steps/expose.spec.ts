import { expect } from 'chai';
import { dispatchLines, stateAfter } from './dispatch-line.js';

describe('EXPOSE step', () => {
  const cases: [string, string[], string][] = [
    ['EXPOSE 80', ['80/tcp'], 'EXPOSE map[80/tcp:{}]'],
    ['EXPOSE 80 53/udp 8000-8001', ['53/udp', '80/tcp', '8000/tcp', '8001/tcp'], 'EXPOSE map[53/udp:{} 80/tcp:{} 8000/tcp:{} 8001/tcp:{}]'],
    ['EXPOSE 1234/TCP', ['1234/tcp'], 'EXPOSE map[1234/tcp:{}]'],
    ['EXPOSE 80 80/tcp 9/udp', ['80/tcp', '9/udp'], 'EXPOSE map[80/tcp:{} 9/udp:{}]'],
    ['ENV P="1 2/udp"\nEXPOSE $P', ['1/tcp', '2/udp'], 'EXPOSE map[1/tcp:{} 2/udp:{}]'],
  ];
  for (const [lines, ports, createdBy] of cases) {
    it(JSON.stringify(lines), () => {
      const state = stateAfter(lines);
      expect(Object.keys(state.config.ExposedPorts ?? {}).sort()).to.deep.equal(ports);
      expect(state.history[state.history.length - 1]!.created_by).to.equal(createdBy);
    });
  }
  it('adds to the ports already exposed; history shows only this line\'s', () => {
    const state = stateAfter('EXPOSE 1\nEXPOSE 2');
    expect(state.config.ExposedPorts).to.deep.equal({ '1/tcp': {}, '2/tcp': {} });
    expect(state.history[1]!.created_by).to.equal('EXPOSE map[2/tcp:{}]');
  });
  it('describes the normalised ports', () => {
    expect(dispatchLines('EXPOSE 9/UDP 8')[0]!.description.op).to.deep.equal({ ports: ['8/tcp', '9/udp'] });
  });
});
