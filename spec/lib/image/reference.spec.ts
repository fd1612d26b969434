import { expect } from 'chai';
import { familiarString, formatReference, normalizeTagName, parseReference, withDefaultTag } from '../../../lib/image/reference.js';

describe('lib/image/reference', () => {
  // Expected values are what Docker's reference.ParseNormalizedNamed + TagNameOnly give.
  const table: [string, string, string][] = [
    ['nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25', 'nginx:1.25'],
    ['library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['index.docker.io/library/nginx:x', 'docker.io/library/nginx:x', 'nginx:x'],
    ['user/app', 'docker.io/user/app:latest', 'user/app:latest'],
    ['localhost/busybox:test', 'localhost/busybox:test', 'localhost/busybox:test'],
    ['localhost:5000/a/b', 'localhost:5000/a/b:latest', 'localhost:5000/a/b:latest'],
    ['ghcr.io/o/r:v1', 'ghcr.io/o/r:v1', 'ghcr.io/o/r:v1'],
    ['Registry/app', 'Registry/app:latest', 'Registry/app:latest'],
    ['a__b/c-d.e', 'docker.io/a__b/c-d.e:latest', 'a__b/c-d.e:latest'],
  ];
  for (const [input, full, familiar] of table) {
    it(`${input} → ${full}`, () => {
      const reference = withDefaultTag(parseReference(input));
      expect(formatReference(reference)).to.equal(full);
      expect(familiarString(reference)).to.equal(familiar);
      expect(normalizeTagName(input)).to.equal(full);
    });
  }

  it('keeps a digest and adds no tag to it', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const reference = withDefaultTag(parseReference(`busybox@${digest}`));
    expect(reference.tag).to.equal(undefined);
    expect(formatReference(reference)).to.equal(`docker.io/library/busybox@${digest}`);
    expect(() => normalizeTagName(`busybox@${digest}`)).to.throw(/digest/);
  });

  const invalid: [string, RegExp][] = [
    ['a'.repeat(64), /64-byte hexadecimal/],
    ['Nginx', /repository name \(library\/Nginx\) must be lowercase/],
    ['nginx:', /invalid reference format/],
    ['nginx:-x', /invalid reference format/],
    ['-nginx', /invalid reference format/],
    ['a//b', /invalid reference format/],
    ['nginx@sha256:xyz', /invalid reference format/],
    [`x/${'a'.repeat(260)}`, /not be more than 255 characters/],
  ];
  for (const [input, message] of invalid) {
    it(`refuses ${input.slice(0, 40)}`, () => {
      expect(() => parseReference(input)).to.throw(message).with.property('code', 'E_USAGE');
    });
  }
});
