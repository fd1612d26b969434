// docker images --filter reference=PATTERN: expected values from dockerd 26 with the images
// localhost/busybox:test, t:1 and i5probe:size in its store.
import { expect } from 'chai';
import { UsageError } from '../../../lib/errors.js';
import { isReferencePattern, referenceMatcher } from '../../../lib/image/reference-pattern.js';

describe('lib/image reference patterns (docker images --filter reference=)', () => {
  const matches = (pattern: string, fullTag: string): boolean => referenceMatcher(pattern)(fullTag);

  it('matches the familiar tag, else the familiar name; * and ? never cross a /', () => {
    expect(matches('localhost/*', 'localhost/busybox:test')).to.equal(true);
    expect(matches('localhost/busy*:te*', 'localhost/busybox:test')).to.equal(true);
    expect(matches('busy*', 'localhost/busybox:test')).to.equal(false);
    expect(matches('t', 'docker.io/library/t:1')).to.equal(true);
    expect(matches('i5*', 'docker.io/library/i5probe:size')).to.equal(true);
    expect(matches('nginx:1.?', 'docker.io/library/nginx:1.2')).to.equal(true);
    expect(matches('docker.io/library/nginx', 'docker.io/library/nginx:1.2')).to.equal(false);
    expect(matches('*', 'localhost/busybox:test')).to.equal(false);
  });

  it('classes, negated classes and escapes as Go path.Match; a broken pattern is a usage error', () => {
    expect(matches('ap[a-p]:v[0-9]', 'docker.io/library/app:v1')).to.equal(true);
    expect(matches('ap[^p]', 'docker.io/library/app:v1')).to.equal(false);
    expect(matches('a\\pp', 'docker.io/library/app:v1')).to.equal(true);
    expect(() => referenceMatcher('ap[p')).to.throw(UsageError, 'syntax error in pattern');
    expect(isReferencePattern('nginx:1.2')).to.equal(false);
    expect(isReferencePattern('ng*')).to.equal(true);
  });
});
