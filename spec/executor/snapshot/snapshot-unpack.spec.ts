// Unpacking into a kept snapshot folder (SECURITY lesson 5, §5 bar 3): nothing unverified is ever
// kept, the folder appears complete in one rename with its marker, debris is replaced, and two
// unpacks of the same layer racing for one folder both succeed.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ArchiveError } from '../../../executor/snapshot/archive-error.js';
import { readSnapshotMarker, snapshotTree, unpackLayerSnapshot } from '../../../executor/snapshot/snapshot-unpack.js';
import { mkTar } from '../../support/mk-tar.js';
import { thrownBy } from './fs-fixture.js';
import { createHash } from 'node:crypto';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const layer = mkTar([{ name: 'etc/os-release', data: 'ID=spec\n' }, { name: 'bin/tool', data: 'x', mode: 0o755 }]);
const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;

function store(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-store-'));
  made.push(dir);
  return dir;
}

describe('snapshot: unpacking into a kept snapshot', () => {
  it('verifies the DiffID and the blob digest of a gzip layer, and writes the marker', async () => {
    const gz = gzipSync(layer);
    const digest = `sha256:${createHash('sha256').update(gz).digest('hex')}`;
    const dest = join(store(), 'snap');
    const { marker, reused } = await unpackLayerSnapshot(Readable.from([gz]), dest, { expectDiffId: diffId, expectDigest: digest });
    expect([reused, marker.diffId, marker.digest, marker.entries, marker.bytes]).to.deep.equal([false, diffId, digest, 2, layer.length]);
    expect(readFileSync(join(snapshotTree(dest), 'etc/os-release'), 'utf8')).to.equal('ID=spec\n');
    expect(await readSnapshotMarker(dest)).to.deep.equal(marker);
  });

  it('a DiffID mismatch keeps nothing and leaves no temporary folder', async () => {
    const parent = store();
    const wrong = `sha256:${'0'.repeat(64)}`;
    const error = await thrownBy(unpackLayerSnapshot(Readable.from([layer]), join(parent, 'snap'), { expectDiffId: wrong }));
    expect((error as ArchiveError).reason).to.equal('digest-mismatch');
    expect(error.message).to.equal(`layer DiffID mismatch: expected ${wrong}, got ${diffId}`);
    expect(readdirSync(parent)).to.deep.equal([]);
  });

  it('a complete snapshot is reused without reading the input', async () => {
    const dest = join(store(), 'snap');
    await unpackLayerSnapshot(Readable.from([layer]), dest);
    const untouched = Readable.from([Buffer.from('this is not a tar')]);
    const again = await unpackLayerSnapshot(untouched, dest);
    expect(again.reused).to.equal(true);
    expect(untouched.destroyed).to.equal(true);
  });

  it('debris of an interrupted unpack (no marker) is replaced', async () => {
    const dest = join(store(), 'snap');
    mkdirSync(join(dest, 'fs'), { recursive: true });
    writeFileSync(join(dest, 'fs', 'half-written'), '');
    const { reused } = await unpackLayerSnapshot(Readable.from([layer]), dest);
    expect(reused).to.equal(false);
    expect(readdirSync(snapshotTree(dest)).sort()).to.deep.equal(['bin', 'etc']);
  });

  it('two unpacks racing for one folder both succeed with one result', async () => {
    const parent = store();
    const dest = join(parent, 'snap');
    const results = await Promise.all([0, 1, 2].map(() => unpackLayerSnapshot(Readable.from([layer]), dest)));
    expect(results.filter((r) => !r.reused).length).to.be.at.most(1);
    expect(results.every((r) => r.marker.diffId === diffId)).to.equal(true);
    expect(readdirSync(parent)).to.deep.equal(['snap']);
  });
});
