// The owner tables of builds without root (owner-table.ts): what is saved, and that as real root
// nothing is recorded and every owner is the host's. The rootless path end to end is in
// spec/executor/rootless-build.spec.ts.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerOwner, OwnerTable, recordsOwners, trackOwners } from '../../../executor/snapshot/index.js';
import { recordOwner, saveSnapshotOwners, snapshotOwners } from '../../../executor/snapshot/owner-table.js';

describe('executor/snapshot/owner-table', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-owners-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps 0:0 in memory (it overrides a lower owner) but saves only other owners, sorted', async () => {
    const table = new OwnerTable();
    table.set('z', { uid: 1, gid: 2 });
    table.set('a', { uid: 0, gid: 0 });
    table.set('b', { uid: 0, gid: 5 });
    expect(table.get('a')).to.deep.equal({ uid: 0, gid: 0 });
    expect(table.size).to.equal(2);
    await saveSnapshotOwners(dir, table);
    expect(JSON.parse(await readFile(join(dir, 'owners.json'), 'utf8'))).to.deep.equal({ b: [0, 5], z: [1, 2] });
    expect(snapshotOwners(join(dir, 'fs')).get('z')).to.deep.equal({ uid: 1, gid: 2 });
    expect(OwnerTable.fromJSON(table.toJSON()).get('a')).to.equal(undefined);
  });

  it('writes no file for a snapshot whose entries are all root\'s', async () => {
    const table = new OwnerTable();
    table.set('a', { uid: 0, gid: 0 });
    await saveSnapshotOwners(dir, table);
    expect(await readFile(join(dir, 'owners.json'), 'utf8').catch(() => null)).to.equal(null);
  });

  it('[root] as real root records nothing and reads every owner from the host', async function () {
    if (process.getuid?.() !== 0 || recordsOwners()) this.skip();
    const tracked = trackOwners(dir);
    await writeFile(join(dir, 'f'), 'x');
    recordOwner(join(dir, 'f'), { uid: 7, gid: 8 });
    expect(tracked.table.size).to.equal(0);
    expect(await containerOwner(join(dir, 'f'), { uid: 3, gid: 4 })).to.deep.equal({ uid: 3, gid: 4 });
    tracked.untrack();
  });
});
