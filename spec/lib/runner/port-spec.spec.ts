// -p parsing and how published ports are shown. Error texts and the PORTS/inspect shapes are
// docker's (docker 26: `docker run -p 80000:80` → "invalid hostPort: 80000", etc.).
import { expect } from 'chai';
import { createServer as createHttpServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../../lib/errors.js';
import { needsRelay, publishPorts } from '../../../lib/runner/port-forward.js';
import { parsePortSpec, portBindingsJson, portsColumn, publishedPortsJson } from '../../../lib/runner/port-spec.js';
import { connect } from 'node:net';
import { execEnv } from '../../../lib/runner/launch-config.js';

describe('lib/runner/port-spec', () => {
  it('parses CTR, HOST:CTR, IP:HOST:CTR, [IPv6]:HOST:CTR and /udp', () => {
    expect(parsePortSpec('80')).to.deep.equal({ hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp' });
    expect(parsePortSpec('18080:80')).to.deep.equal({ hostIp: '', hostPort: 18080, containerPort: 80, protocol: 'tcp' });
    expect(parsePortSpec('127.0.0.1:18081:81/udp')).to.deep.equal({ hostIp: '127.0.0.1', hostPort: 18081, containerPort: 81, protocol: 'udp' });
    expect(parsePortSpec('127.0.0.1::81')).to.deep.equal({ hostIp: '127.0.0.1', hostPort: 0, containerPort: 81, protocol: 'tcp' });
    expect(parsePortSpec('[::1]:8080:80')).to.deep.equal({ hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp' });
  });

  it("rejects what docker rejects, with docker's messages", () => {
    const message = (text: string) => {
      try {
        parsePortSpec(text);
      } catch (error) {
        expect(error).to.be.instanceOf(UsageError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message('80000:80')).to.equal('invalid hostPort: 80000');
    expect(message('1.2.3:80:80')).to.equal('invalid IP address: 1.2.3');
    expect(message('80/sctpx')).to.equal('invalid proto: sctpx');
    expect(message('8080:x')).to.equal('invalid containerPort: x');
    expect(message('8000-8010:80-90')).to.match(/port ranges are not supported/);
  });

  it('prints PORTS and inspect maps as docker does', () => {
    const published = [
      { hostIp: '0.0.0.0', hostPort: 18080, containerPort: 80, protocol: 'tcp' as const },
      { hostIp: '::', hostPort: 18080, containerPort: 80, protocol: 'tcp' as const },
      { hostIp: '127.0.0.1', hostPort: 18082, containerPort: 82, protocol: 'udp' as const },
    ];
    expect(portsColumn(published)).to.equal('0.0.0.0:18080->80/tcp, [::]:18080->80/tcp, 127.0.0.1:18082->82/udp');
    expect(Object.fromEntries(Object.entries(publishedPortsJson(published)))).to.deep.equal({
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '18080' }, { HostIp: '::', HostPort: '18080' }],
      '82/udp': [{ HostIp: '127.0.0.1', HostPort: '18082' }],
    });
    expect(portBindingsJson([parsePortSpec('18080:80'), parsePortSpec('90')])).to.deep.equal({
      '80/tcp': [{ HostIp: '', HostPort: '18080' }],
      '90/tcp': [{ HostIp: '', HostPort: '' }],
    });
  });
});

describe('lib/runner/port-forward', () => {
  it('needs a relay only where the container port is not already the host port', () => {
    expect(needsRelay(parsePortSpec('80:80'), true)).to.equal(false);
    expect(needsRelay(parsePortSpec('8080:80'), true)).to.equal(true);
    expect(needsRelay(parsePortSpec('80:80'), false)).to.equal(true);
  });

  it('relays TCP from a free host port to the dialed port, and refuses a taken one', async () => {
    const upstream = createHttpServer((_req, res) => res.end('from upstream'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const target = (upstream.address() as AddressInfo).port;
    const publisher = await publishPorts([{ hostIp: '127.0.0.1', hostPort: 0, containerPort: target, protocol: 'tcp' }], true, (port) => connect(port, '127.0.0.1'));
    try {
      const [binding] = publisher.published;
      expect(binding).to.include({ hostIp: '127.0.0.1', containerPort: target });
      expect(binding!.hostPort).to.be.greaterThan(0);
      const body = await new Promise<string>((resolve, reject) => {
        get({ host: '127.0.0.1', port: binding!.hostPort, path: '/' }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).to.equal('from upstream');
      let refused: Error | undefined;
      await publishPorts([{ hostIp: '127.0.0.1', hostPort: binding!.hostPort, containerPort: 1, protocol: 'tcp' }], true, (port) => connect(port, '127.0.0.1')).catch((error: Error) => (refused = error));
      expect(refused?.message).to.equal(`Bind for 127.0.0.1:${binding!.hostPort} failed: port is already allocated`);
    } finally {
      await publisher.close();
      upstream.close();
    }
  });
});

describe('lib/runner/launch-config execEnv', () => {
  it("gives exec the container's environment, TERM with -t, and -e entries by key (docker exec)", () => {
    const container = ['PATH=/bin', 'HOSTNAME=abc', 'A=1'];
    expect(execEnv(container, [], false, {})).to.deep.equal(container);
    expect(execEnv(container, ['A=2', 'B=3', 'C'], true, { C: 'caller' })).to.deep.equal(['PATH=/bin', 'HOSTNAME=abc', 'A=2', 'TERM=xterm', 'B=3', 'C=caller']);
  });
});
