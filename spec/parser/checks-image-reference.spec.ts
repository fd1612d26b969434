import { expect } from 'chai';
import { imageReferenceError } from '../../parser/checks.js';
import { parsePlatformSpec } from '../../parser/checks/platform-spec.js';

describe('imageReferenceError (Docker reference grammar)', () => {
  const valid = [
    'busybox',
    'scratch',
    'busybox:1.36',
    'library/busybox:latest',
    'localhost/busybox:test',
    'localhost:5000/team/app:v1',
    'registry.example.com/a/b/c',
    'ghcr.io/owner/my_image__x-y.z:tag_1.0',
    'busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'Registry.Example.com/app',
    '[::1]:5000/app',
  ];
  for (const reference of valid) {
    it(`accepts ${reference}`, () => {
      expect(imageReferenceError(reference)).to.equal(undefined);
    });
  }

  const invalid: [string, string][] = [
    ['', 'invalid reference format'],
    ['Foo', 'invalid reference format: repository name (library/Foo) must be lowercase'],
    ['team/App:1', 'invalid reference format: repository name (team/App) must be lowercase'],
    ['a:b:c', 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    ['-busybox', 'invalid reference format'],
    ['busybox:tag with space', 'invalid reference format'],
    ['0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'invalid repository name (0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef), cannot specify 64-byte hexadecimal strings'],
    [`a/${'b'.repeat(260)}`, 'repository name must not be more than 255 characters'],
  ];
  for (const [reference, reason] of invalid) {
    it(`refuses ${JSON.stringify(reference.slice(0, 40))}`, () => {
      expect(imageReferenceError(reference)).to.equal(reason);
    });
  }
});

describe('parsePlatformSpec (for FromPlatformFlagConstDisallowed)', () => {
  const cases: [string, { os: string; architecture: string } | undefined][] = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64' }],
    ['Linux/x86_64', { os: 'linux', architecture: 'amd64' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['arm64', { os: 'linux', architecture: 'arm64' }],
    ['windows', { os: 'windows', architecture: 'amd64' }],
    ['nonsense', undefined],
    ['linux/*', undefined],
    ['a/b/c/d', undefined],
  ];
  for (const [text, expected] of cases) {
    it(text, () => {
      expect(parsePlatformSpec(text)).to.deep.equal(expected);
    });
  }
});
