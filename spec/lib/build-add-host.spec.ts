// --add-host: docker build's parsing of the values, host-gateway, and what BuildKit does with the
// entries (checked against docker build with BuildKit): RUN steps see them in /etc/hosts as
// `IP<TAB>NAME` after the two standard lines, the file never lands in a layer, and a different
// value does not change the step's cache key (the step stays CACHED with the old output).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { ContentStore } from '../../cache/content-store.js';
import { addHostsFrom, hostGatewayAddress, resolveAddHosts } from '../../lib/add-host.js';
import { build } from '../../lib/build.js';
import { UsageError } from '../../lib/errors.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { makeBuildFixture, readImageFile, type BuildFixture } from './build-fixtures.js';

describe('lib/add-host', () => {
  it('reads NAME:IP, NAME=IP, bare and bracketed IPv6, host-gateway, and comma lists', () => {
    expect(addHostsFrom(['db:10.1.2.3', 'x=1.2.3.5', 'v6:[::1]', 'y:::2', 'gw:host-gateway', 'a:1.1.1.1,b:2.2.2.2'])).to.deep.equal([
      { name: 'db', ip: '10.1.2.3' },
      { name: 'x', ip: '1.2.3.5' },
      { name: 'v6', ip: '::1' },
      { name: 'y', ip: '::2' },
      { name: 'gw', ip: 'host-gateway' },
      { name: 'a', ip: '1.1.1.1' },
      { name: 'b', ip: '2.2.2.2' },
    ]);
  });

  it('rejects what docker rejects with "invalid host VALUE"', () => {
    for (const bad of ['noip', 'h:notip', ':1.2.3.4', 'h:', 'a b:1.2.3.4']) {
      expect(() => addHostsFrom([bad]), bad).to.throw(UsageError, `invalid host ${bad}`);
    }
  });

  it('host-gateway is docker0 when there is one, else a non-loopback IPv4 address, else an error', () => {
    const lo = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: null };
    const eth = { ...lo, address: '192.0.2.2', internal: false };
    const bridge = { ...eth, address: '172.17.0.1' };
    expect(hostGatewayAddress({ lo: [lo], eth0: [eth], docker0: [bridge] })).to.equal('172.17.0.1');
    expect(hostGatewayAddress({ lo: [lo], eth0: [eth] })).to.equal('192.0.2.2');
    expect(() => hostGatewayAddress({ lo: [lo] })).to.throw(/unable to derive the IP value for host-gateway/);
    let lookups = 0;
    const resolved = resolveAddHosts([{ name: 'a', ip: 'host-gateway' }, { name: 'b', ip: '10.0.0.1' }, { name: 'c', ip: 'host-gateway' }], () => (lookups++, '192.0.2.9'));
    expect(resolved).to.deep.equal([{ name: 'a', ip: '192.0.2.9' }, { name: 'b', ip: '10.0.0.1' }, { name: 'c', ip: '192.0.2.9' }]);
    expect(lookups).to.equal(1);
  });
});

/** Entry names of a stored layer blob (GNU tar reads gzip or plain alike). */
async function layerEntryNames(fixture: BuildFixture, digest: string): Promise<string[]> {
  const path = (await ContentStore.open(fixture.layout)).blobPath(digest);
  return execFileSync('tar', ['-tf', path], { encoding: 'utf8' }).split('\n').filter(Boolean).map((name) => name.replace(/^\.\//, ''));
}

describe('build --add-host [root]', function () {
  this.timeout(120000);
  let fixture: BuildFixture;
  before(async () => {
    fixture = await makeBuildFixture();
  });
  after(async () => {
    await fixture.dispose();
  });

  const dockerfile = 'FROM busybox:test\nRUN cat /etc/hosts > /hosts.txt\n';

  it('puts the entries in the step’s /etc/hosts, not in the layer, and out of the cache key', async () => {
    const first = await build({ context: fixture.context, dockerfileText: dockerfile, root: fixture.root, tags: ['hosts:1'], addHosts: [{ name: 'db', ip: '10.1.2.3' }, { name: 'v6', ip: '::1' }] });
    expect(first.cache).to.deep.equal({ hits: 0, misses: 1 });
    expect(await readImageFile(fixture, 'hosts:1', 'hosts.txt')).to.equal('127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n10.1.2.3\tdb\n::1\tv6\n');
    const image = await (await ImageStore.open(fixture.layout)).resolve('hosts:1');
    const names = await layerEntryNames(fixture, image.layers[image.layers.length - 1]!.digest);
    expect(names).to.include('hosts.txt');
    // BuildKit's layer keeps the etc/ folder whose mtime the hosts stub touched, never the file.
    expect(names.filter((name) => name.startsWith('etc') && name !== 'etc/')).to.deep.equal([]);

    const second = await build({ context: fixture.context, dockerfileText: dockerfile, root: fixture.root, tags: ['hosts:2'], addHosts: [{ name: 'db', ip: '10.9.9.9' }] });
    expect(second.cache).to.deep.equal({ hits: 1, misses: 0 });
    expect(second.imageId).to.equal(first.imageId);
  });

  it('host-gateway resolves to the host address in the step', async () => {
    const gateway = hostGatewayAddress();
    await build({ context: fixture.context, dockerfileText: `${dockerfile}RUN grep gw /etc/hosts > /gw.txt\n`, root: fixture.root, tags: ['hosts:3'], addHosts: [{ name: 'gw', ip: 'host-gateway' }] });
    expect(await readImageFile(fixture, 'hosts:3', 'gw.txt')).to.equal(`${gateway}\tgw\n`);
  });
});
