import { expect } from 'chai';
import { parseChallenges } from '../../../lib/registry/auth.js';
import { mapLimit } from '../../../lib/registry/limit.js';
import { selectPlatform } from '../../../lib/registry/platform-select.js';
import { Transport } from '../../../lib/registry/transport.js';

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('lib/registry protocol pieces', () => {
  describe('parseChallenges', () => {
    it('reads a Docker Hub bearer challenge', () => {
      expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"')).to.deep.equal([
        { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
      ]);
    });
    it('reads basic, unquoted values, escapes and several challenges', () => {
      expect(parseChallenges(['Basic realm="a \\"b\\""', 'Bearer realm=https://x/t, service=reg'])).to.deep.equal([
        { scheme: 'basic', params: { realm: 'a "b"' } },
        { scheme: 'bearer', params: { realm: 'https://x/t', service: 'reg' } },
      ]);
    });
    it('reads nothing from an absent header', () => {
      expect(parseChallenges(undefined)).to.deep.equal([]);
    });
  });

  describe('selectPlatform', () => {
    const index = {
      manifests: [
        { mediaType: 'm', digest: digest(1), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: 'm', digest: digest(2), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
        { mediaType: 'm', digest: digest(3), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        { mediaType: 'm', digest: digest(4), size: 1, platform: { os: 'linux', architecture: 'arm64' } },
        { mediaType: 'm', digest: digest(5), size: 1 },
      ],
    };
    it('matches os, architecture and variant; arm64 without a variant is v8', () => {
      expect(selectPlatform(index, { os: 'linux', architecture: 'amd64' }, 'x').digest).to.equal(digest(1));
      expect(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }, 'x').digest).to.equal(digest(3));
      expect(selectPlatform(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'x').digest).to.equal(digest(4));
    });
    it('says which platforms exist when none matches', () => {
      expect(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }, 'img')).to.throw('img: no manifest for platform linux/s390x (the index offers linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64, unknown)');
    });
  });

  describe('Transport', () => {
    it('allows plain HTTP only for loopback names and the insecure list', () => {
      const transport = new Transport({ insecureRegistries: ['lan.example:5000'], env: {} });
      expect(transport.isInsecure('localhost:5000')).to.equal(true);
      expect(transport.isInsecure('127.0.0.1:41000')).to.equal(true);
      expect(transport.isInsecure('[::1]:5000')).to.equal(true);
      expect(transport.isInsecure('lan.example:5000')).to.equal(true);
      expect(transport.isInsecure('lan.example')).to.equal(false);
      expect(transport.isInsecure('docker.io')).to.equal(false);
    });
    it('talks HTTPS to any other registry, and Docker Hub at registry-1.docker.io', async () => {
      const transport = new Transport({ env: {} });
      expect(await transport.baseUrl('registry.example')).to.equal('https://registry.example');
      expect(await transport.baseUrl('docker.io')).to.equal('https://registry-1.docker.io');
    });
    it('reads extra CA files from the environment and fails clearly on a missing one', () => {
      expect(() => new Transport({ env: { TSBUILD_REGISTRY_CA_FILES: '/nonexistent/ca.pem' } })).to.throw(/ENOENT.*\/nonexistent\/ca\.pem/);
    });
  });

  describe('mapLimit', () => {
    it('keeps order and never runs more than the limit at once', async () => {
      let running = 0;
      let peak = 0;
      const results = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, n * 3));
        running--;
        return n * 10;
      });
      expect(results).to.deep.equal([50, 10, 40, 20, 30]);
      expect(peak).to.equal(2);
    });
    it('stops taking jobs after a failure and rethrows it', async () => {
      const started: number[] = [];
      const error = await mapLimit([1, 2, 3, 4], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        return n;
      }).catch((caught: unknown) => caught);
      expect((error as Error).message).to.equal('boom');
      expect(started).to.deep.equal([1, 2]);
    });
  });
});
