// EXPOSE port specs against the shared corpus (expose/cases.json), plus cases of our own.
import { expect } from 'chai';
import { exposedPorts, isIpAddress, parsePortSpec } from '../../parser/port-spec.js';
import { readConformanceJson } from '../support/conformance.js';

interface BuildkitCase {
  id: string;
  name?: string;
  spec?: string;
  specs?: string[];
  expected?: string[];
  expectErrorEquals?: string;
  expectError?: boolean;
}

interface ExposeCorpus {
  buildkit: { cases: BuildkitCase[] };
  mobyClassicBuilder: {
    splitProtoPort: { cases: { doc: string; input: string }[] };
    portSpecErrors: { cases: { spec: string }[] };
    portSpecs: { cases: { specs: string[]; exposed?: string[]; expectError?: boolean; note?: string }[] };
    dispatch: { cases: { expose: string[]; exposedPorts: string[] }[] };
  };
}

const corpus = readConformanceJson<ExposeCorpus>('expose', 'cases.json');

describe('conformance: expose/cases.json', () => {
  describe('buildkit', () => {
    for (const testCase of corpus.buildkit.cases) {
      const specs = testCase.specs ?? [testCase.spec!];
      it(`${testCase.id}${testCase.name ? ` (${testCase.name})` : ''}: ${JSON.stringify(specs)}`, () => {
        if (testCase.expected) return expect(exposedPorts(specs)).to.deep.equal(testCase.expected);
        const act = () => exposedPorts(specs);
        if (testCase.expectErrorEquals !== undefined) expect(act).to.throw(Error).with.property('message', testCase.expectErrorEquals);
        else expect(act).to.throw(Error);
      });
    }
  });

  describe('moby classic builder: port specs (same results in BuildKit)', () => {
    for (const testCase of corpus.mobyClassicBuilder.portSpecs.cases) {
      it(`${JSON.stringify(testCase.specs)}${testCase.note ? ` (${testCase.note})` : ''}`, () => {
        if (testCase.expectError) expect(() => exposedPorts(testCase.specs)).to.throw(Error);
        else expect(exposedPorts(testCase.specs)).to.deep.equal(testCase.exposed);
      });
    }
    for (const testCase of corpus.mobyClassicBuilder.dispatch.cases) {
      it(`EXPOSE ${testCase.expose.join(' ')}`, () => expect(exposedPorts(testCase.expose)).to.deep.equal(testCase.exposedPorts));
    }
  });

  // Not run, on purpose: moby's splitProtoPort (13 cases) and portSpecErrors (3 cases) pin the
  // classic builder's helper and its own error texts. BuildKit, which tsbuild follows, rejects
  // `/udp` instead of splitting it and words the same errors differently (`invalid port: "": no
  // port specified`, covered above by expose-bk-01..03).
  describe('moby classic builder: skipped tables', () => {
    it('splitProtoPort and portSpecErrors are classic-builder behaviour (see comment)', () => {
      expect(corpus.mobyClassicBuilder.splitProtoPort.cases).to.have.length(13);
      expect(corpus.mobyClassicBuilder.portSpecErrors.cases).to.have.length(3);
    });
  });
});

describe('parsePortSpec', () => {
  const cases: [string, string[] | RegExp][] = [
    ['80', ['80/tcp']],
    ['80/udp', ['80/udp']],
    ['80/UDP', ['80/udp']],
    ['8000-8002', ['8000/tcp', '8001/tcp', '8002/tcp']],
    ['5-5/sctp', ['5/sctp']],
    ['0', ['0/tcp']],
    ['65535', ['65535/tcp']],
    ['65536', /^invalid containerPort: 65536$/],
    ['-1', /^invalid containerPort: -1$/],
    ['80/http', /^invalid port: "80\/http": invalid proto: http$/],
    ['/tcp', /no port specified/],
    ['9-8', /^invalid containerPort: 9-8$/],
    ['abc', /^invalid containerPort: abc$/],
    ['1-3:1-2', /^invalid ranges specified for container and host Ports: 1-2 and 1-3$/],
    ['1-3:80', ['80/tcp']],
    ['x:80', /^invalid hostPort: x$/],
    ['[::1:80:80', /invalid IP address/],
  ];
  for (const [spec, expected] of cases) {
    it(`${JSON.stringify(spec)} → ${expected instanceof RegExp ? `error ${expected}` : expected.join(' ')}`, () => {
      if (expected instanceof RegExp) expect(() => parsePortSpec(spec)).to.throw(expected);
      else expect(parsePortSpec(spec).ports).to.deep.equal(expected);
    });
  }

  it('reports upper-case protocols and host parts for the lint rules', () => {
    expect(parsePortSpec('80/TCP')).to.include({ protocolNotLowerCase: true, hasHostPart: false });
    expect(parsePortSpec('127.0.0.1:8080:80')).to.include({ protocolNotLowerCase: false, hasHostPart: true });
  });

  it('accepts IPv4 and IPv6 addresses as Go does', () => {
    for (const ip of ['0.0.0.0', '192.168.1.100', '::', '::1', '2001:db8::68', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8']) {
      expect(isIpAddress(ip), ip).to.equal(true);
    }
    for (const ip of ['localhost', '256.1.1.1', '01.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', '']) {
      expect(isIpAddress(ip), ip).to.equal(false);
    }
  });
});
