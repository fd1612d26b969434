// SECURITY B7 end to end: decompression bombs and entry bombs through the real entry points (ADD
// of a local archive in build(), `import`, `load`, base-layer unpacking). Each must fail fast with
// a budget error that names the archive, leave no temporary files, and not fill the disk.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore } from '../../cache/content-store.js';
import { Lease } from '../../cache/lease.js';
import { SnapshotStore } from '../../executor/snapshot-store.js';
import type { ArchiveError } from '../../executor/snapshot/archive-error.js';
import { loadArchive } from '../../lib/export/load-archive.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { importRootfs } from '../../lib/store/import-rootfs.js';
import { mkTar } from '../support/mk-tar.js';
import { manyEntriesTar, zeroBombTarGz } from './bomb-fixtures.js';
import { useHostileBuild } from './hostile-build.js';

/** A 1 GiB bomb in about 1 MiB: over the 256 MiB floor at any ratio above 200. */
const BOMB_MIB = 1024;

function expectBudgetError(error: unknown, label: RegExp): void {
  expect(error, 'the bomb was refused').to.be.instanceOf(Error);
  const message = (error as Error).message;
  expect(message).to.match(label);
  expect(message).to.match(/maxRatio|maxEntries|maxDepth|maxBytes/);
  let cause: unknown = error;
  while (cause instanceof Error && (cause as ArchiveError).reason === undefined) cause = cause.cause;
  expect((cause as ArchiveError).reason, message).to.equal('budget');
}

function freeBytes(dir: string): number {
  const info = statfsSync(dir);
  return info.bavail * info.bsize;
}

describe('security B7: archive bombs through the real entry points [root]', function () {
  this.timeout(180000);
  const hostile = useHostileBuild();

  it('ADD of a gzip bomb (1 GiB of zeros in 1 MiB) fails at the ratio budget, naming the source, disk back to baseline', async () => {
    const bomb = zeroBombTarGz('zeros', BOMB_MIB);
    expect(bomb.length).to.be.below(2 << 20);
    await writeFile(join(hostile().fixture.context, 'bomb.tar.gz'), bomb);
    const before = freeBytes(hostile().fixture.root);
    const started = Date.now();
    const error = await hostile().attempt('FROM busybox:test\nADD bomb.tar.gz /x/\n', { network: 'none', noCache: true });
    expect(Date.now() - started).to.be.below(60000);
    expectBudgetError(error, /ADD source "bomb\.tar\.gz"/);
    expect((error as Error).message).to.match(/decompression bomb/);
    expect(await readdir(hostile().fixture.layout.tmp)).to.deep.equal([]);
    // Nothing of the ~256 MiB written before the stop is kept (slack for the filesystem's own churn).
    expect(before - freeBytes(hostile().fixture.root)).to.be.below(32 << 20);
  });

  it('ADD of a deep path (2000 components) fails at the depth budget, naming the source', async () => {
    const deep = Array.from({ length: 2000 }, () => 'd').join('/');
    await writeFile(join(hostile().fixture.context, 'deep.tar'), mkTar([{ name: 'x', pax: { path: `${deep}/f` }, data: '' }]));
    const error = await hostile().attempt('FROM busybox:test\nADD deep.tar /x/\n', { network: 'none', noCache: true });
    expectBudgetError(error, /ADD source "deep\.tar"/);
  });

  it('import of a gzip bomb fails at the ratio budget, names the source and stores nothing', async () => {
    const file = join(hostile().fixture.dir, 'bomb-import.tar.gz');
    await writeFile(file, zeroBombTarGz('zeros', BOMB_MIB));
    const store = await ImageStore.open(hostile().fixture.layout);
    const blobsBefore = await readdir(hostile().fixture.layout.content).catch(() => []);
    const error = await importRootfs(store, file, { name: 'bomb:import' }).catch((e: unknown) => e);
    expectBudgetError(error, /the import source ".*bomb-import\.tar\.gz"/);
    expect(await readdir(hostile().fixture.layout.content).catch(() => [])).to.deep.equal(blobsBefore);
  });

  it('import of a streamed tar of 1 000 001 empty entries fails at the entry budget and stores nothing', async () => {
    const store = await ImageStore.open(hostile().fixture.layout);
    const started = Date.now();
    const error = await importRootfs(store, manyEntriesTar(1_000_001), { name: 'bomb:entries' }).catch((e: unknown) => e);
    expectBudgetError(error, /the import source \(stdin\)/);
    expect((error as Error).message).to.match(/1000000 entries/);
    expect(Date.now() - started).to.be.below(120000);
    expect(await store.resolve('bomb:entries').catch(() => undefined)).to.equal(undefined);
  });

  it('load of an OCI archive whose layer is a gzip bomb fails at the ratio budget, naming the layer', async () => {
    const archive = ociArchiveWithLayer(zeroBombTarGz('zeros', BOMB_MIB));
    const store = await ImageStore.open(hostile().fixture.layout);
    const error = await loadArchive(store, Readable.from([archive])).catch((e: unknown) => e);
    expectBudgetError(error, /layer 0 of image sha256:[0-9a-f]{64}/);
    expect((error as Error).message).not.to.match(/does not match/);
    expect(await readdir(hostile().fixture.layout.tmp)).to.deep.equal([]);
  });

  it('a base layer that is a gzip bomb fails at unpacking, naming the layer, and leaves no snapshot', async () => {
    const bomb = zeroBombTarGz('zeros', BOMB_MIB);
    const content = await ContentStore.open(hostile().fixture.layout);
    const lease = await Lease.create(hostile().fixture.layout);
    try {
      const blob = await content.ingest(bomb, { lease });
      const layer = { digest: blob.digest, size: blob.size, diffId: `sha256:${createHash('sha256').update('not checked before the budget').digest('hex')}` };
      const error = await new SnapshotStore(hostile().fixture.layout, content).ensure([layer]).catch((e: unknown) => e);
      expectBudgetError(error, new RegExp(`layer ${blob.digest}`));
      const left = await readdir(hostile().fixture.layout.snapshots).catch(() => []);
      expect(left.filter((name) => name.includes('.tmp-'))).to.deep.equal([]);
    } finally {
      await lease.release();
    }
  });
});

/** An OCI image archive (oci-layout, index.json, blobs) whose single layer is `layer`. */
function ociArchiveWithLayer(layer: Buffer): Buffer {
  const digest = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digest('unknown')] } });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(layer), size: layer.length }],
  });
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'bomb:load' } }],
  });
  const blob = (bytes: Buffer | string) => ({ name: `blobs/sha256/${digest(bytes).slice(7)}`, data: bytes });
  return mkTar([
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: index },
    blob(config),
    blob(manifest),
    blob(layer),
  ]);
}
