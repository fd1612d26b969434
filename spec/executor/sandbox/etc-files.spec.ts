// The generated /etc files and fstab escaping: pure functions, no privileges needed.
import { expect } from 'chai';
import { hostnameFile, hostsFile, resolvConf } from '../../../executor/sandbox/etc-files.js';
import { escapeFstabField, fstabLine } from '../../../executor/sandbox/fstab.js';

describe('executor/sandbox/etc-files', () => {
  it('writes BuildKit\'s hosts file plus extra hosts', () => {
    expect(hostsFile('buildkitsandbox')).to.equal('127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n');
    expect(hostsFile('box', [{ name: 'db', ip: '10.0.0.2' }])).to.match(/\n10\.0\.0\.2\tdb\n$/);
    expect(hostnameFile('box')).to.equal('box\n');
  });

  it('keeps the host resolvers on the host network, including loopback ones', () => {
    const host = 'search example.com\nnameserver 127.0.0.53\noptions edns0\n';
    expect(resolvConf(host, 'default')).to.equal(host);
    expect(resolvConf(host, 'host')).to.equal(host);
  });

  it('drops loopback resolvers without a network and falls back to Docker\'s defaults', () => {
    const text = resolvConf('nameserver 127.0.0.53\nnameserver ::1\nsearch lan\n', 'none');
    expect(text).to.not.match(/127\.0\.0\.53|::1/);
    expect(text).to.contain('search lan\n');
    expect(text).to.contain('nameserver 8.8.8.8\n');
    expect(resolvConf('nameserver 10.1.1.1\nnameserver 127.0.0.1\n', 'none')).to.equal('nameserver 10.1.1.1\n');
  });
});

describe('executor/sandbox/fstab', () => {
  it('escapes every byte that could split a field or start a comment', () => {
    expect(escapeFstabField('/a b\tc\nd#e\\f')).to.equal('/a\\040b\\011c\\012d\\043e\\134f');
    expect(escapeFstabField('/é')).to.equal('/\\303\\251');
    expect(fstabLine({ source: 'tmpfs', target: '/r/dev', type: 'tmpfs', options: ['nosuid', 'mode=755'] })).to.equal('tmpfs /r/dev tmpfs nosuid,mode=755 0 0');
  });
});
