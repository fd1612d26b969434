import { expect } from 'chai';
import { parseOutputSpec } from '../../../lib/export/output-spec.js';

describe('lib/export -o/--output values', () => {
  it('reads buildx forms and their defaults', () => {
    expect(parseOutputSpec('type=docker,dest=out.tar')).to.deep.equal({ type: 'docker', dest: 'out.tar', tar: true, compression: 'gzip' });
    expect(parseOutputSpec('type=oci,dest=dir,tar=false')).to.deep.equal({ type: 'oci', dest: 'dir', tar: false, compression: 'gzip' });
    expect(parseOutputSpec('type=oci,dest=-,compression=uncompressed')).to.deep.include({ dest: '-', compression: 'none' });
    expect(parseOutputSpec('type=docker,dest=a.tar,compression=gzip,compression-level=9,name=app:v1')).to.deep.include({ compressionLevel: 9, names: ['app:v1'] });
    expect(parseOutputSpec('type=local,dest=out')).to.deep.equal({ type: 'local', dest: 'out', tar: false, compression: 'none' });
    expect(parseOutputSpec('type=tar,dest=-')).to.deep.equal({ type: 'tar', dest: '-', tar: true, compression: 'none' });
  });

  it('reads type=registry (always pushes) and type=image (pushes with push=true), with names', () => {
    expect(parseOutputSpec('type=registry')).to.deep.include({ type: 'registry', push: true });
    expect(parseOutputSpec('type=registry,name=reg:5000/app:v1')).to.deep.include({ push: true, names: ['reg:5000/app:v1'] });
    expect(parseOutputSpec('type=image,name=app:v2,push=true')).to.deep.include({ type: 'image', push: true, names: ['app:v2'] });
    expect(parseOutputSpec('type=image')).to.deep.include({ type: 'image', push: false });
  });

  it('has the shorthands: a path means type=local, `-` a tar on stdout', () => {
    expect(parseOutputSpec('outdir')).to.deep.include({ type: 'local', dest: 'outdir' });
    expect(parseOutputSpec('-')).to.deep.include({ type: 'tar', dest: '-' });
  });

  for (const [text, pattern] of [
    ['type=registry,dest=x', /takes name=REF, not dest/],
    ['type=registry,push=false', /always pushes/],
    ['type=image,push=maybe', /true or false/],
    ['type=gha,dest=x', /type must be one of/],
    ['type=docker', /dest is required/],
    ['type=docker,dest=x,color=red', /unknown key "color"/],
    ['type=local,dest=-', /needs a folder/],
    ['type=oci,dest=-,tar=false', /needs a folder/],
    ['type=oci,dest=x,tar=maybe', /true or false/],
    ['type=oci,dest=x,compression=zstd', /zstd is not supported/],
    ['type=oci,dest=x,compression-level=12', /0 to 9/],
  ] as const) {
    it(`refuses ${text}`, () => {
      expect(() => parseOutputSpec(text)).to.throw(pattern);
    });
  }
});
