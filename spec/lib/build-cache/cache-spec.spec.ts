import { expect } from 'chai';
import { parseCacheFrom, parseCacheTo } from '../../../lib/build-cache/cache-spec.js';

describe('lib/build-cache --cache-to / --cache-from values', () => {
  it('reads registry refs in full form, with mode min by default', () => {
    expect(parseCacheTo('type=registry,ref=reg:5000/app/cache', '/w')).to.deep.equal({ type: 'registry', ref: 'reg:5000/app/cache:latest', mode: 'min', ignoreError: false });
    expect(parseCacheTo('type=registry,ref=app:buildcache,mode=max,ignore-error=true', '/w')).to.deep.equal({ type: 'registry', ref: 'docker.io/library/app:buildcache', mode: 'max', ignoreError: true });
    expect(parseCacheTo('type=registry,ref=a,image-manifest=true,oci-mediatypes=true', '/w')).to.deep.include({ ref: 'docker.io/library/a:latest' });
    expect(parseCacheFrom('type=registry,ref=reg:5000/app:c', '/w')).to.deep.equal({ type: 'registry', ref: 'reg:5000/app:c' });
  });

  it('takes a bare REF as a registry cache-from, and local folders relative to the working directory', () => {
    expect(parseCacheFrom('reg:5000/app:c', '/w')).to.deep.equal({ type: 'registry', ref: 'reg:5000/app:c' });
    expect(parseCacheFrom('type=local,src=cache', '/w')).to.deep.equal({ type: 'local', dir: '/w/cache' });
    expect(parseCacheTo('type=local,dest=/tmp/c,mode=max', '/w')).to.deep.include({ type: 'local', dir: '/tmp/c', mode: 'max' });
  });

  for (const [text, pattern] of [
    ['type=registry', /needs ref=REF/],
    ['type=registry,ref=Bad/Ref', /invalid --cache-to .*must be lowercase/],
    ['type=registry,ref=app@sha256:' + 'a'.repeat(64), /name a tag, not a digest/],
    ['type=local,src=x', /unknown key "src"/],
    ['type=local', /needs dest=DIR/],
    ['type=gha', /type must be registry or local \(gha is not supported\)/],
    ['type=registry,ref=a,mode=all', /mode must be min or max/],
    ['type=registry,ref=a,ignore-error=yes', /true or false/],
    ['type=registry,ref=a,oci-mediatypes=false', /only oci-mediatypes=true is supported/],
  ] as const) {
    it(`refuses --cache-to ${text}`, () => {
      expect(() => parseCacheTo(text, '/w')).to.throw(pattern);
    });
  }

  it('refuses a malformed --cache-from before building', () => {
    expect(() => parseCacheFrom('type=local,dest=x', '/w')).to.throw(/unknown key "dest"/);
    expect(() => parseCacheFrom('app/Case', '/w')).to.throw(/invalid --cache-from/);
  });
});
