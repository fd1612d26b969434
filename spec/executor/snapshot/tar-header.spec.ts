// Our tar header encoder against bytes Go's archive/tar wrote for the same headers
// (golden/go-tar-headers.go): USTAR, long names split into prefix, PAX for long or non-ASCII
// names, long link targets, large ids, out-of-range mtimes, xattr records, devices, whiteouts.
// Byte equality with Go is what lets a layer we write have the DiffID BuildKit's would have.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTarHeader, padding, TAR_TRAILER } from '../../../executor/snapshot/tar-header.js';
import { projectRoot } from '../../support/conformance.js';

interface GoldenHeader {
  name: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
  whiteout?: boolean;
  hex: string;
}

const golden = JSON.parse(readFileSync(join(projectRoot, 'spec/executor/snapshot/golden/go-tar-headers.json'), 'utf8')) as GoldenHeader[];

describe('snapshot: tar headers match Go archive/tar byte for byte', () => {
  for (const c of golden) {
    it(`${c.whiteout ? 'whiteout ' : ''}${JSON.stringify(c.name.length > 60 ? `${c.name.slice(0, 57)}...` : c.name)} (type ${c.typeflag})`, () => {
      const header = { ...c, ...(c.pax ? { paxRecords: c.pax } : {}) };
      const data = c.typeflag === '0' ? Buffer.from('x'.repeat(c.size)) : Buffer.alloc(0);
      const ours = Buffer.concat([encodeTarHeader(header), data, padding(data.length), TAR_TRAILER]);
      expect(ours.toString('hex')).to.equal(c.hex);
    });
  }
});
