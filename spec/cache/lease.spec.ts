import { expect } from 'chai';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireGcLock, gcLockPath, Lease, readLeasedDigests } from '../../cache/lease.js';
import { currentStamp, formatStamp } from '../../cache/process-stamp.js';
import type { RootLayout } from '../../cache/root.js';
import { digestOf, makeTempRoot } from './fixtures/temp-root.js';

describe('cache/lease', () => {
  let layout: RootLayout;
  let remove: () => Promise<void>;

  let leases: Lease[];

  beforeEach(async () => {
    ({ layout, remove } = await makeTempRoot());
    leases = [];
  });
  afterEach(async () => {
    for (const lease of leases) await lease.release();
    await remove();
  });

  async function createLease(): Promise<Lease> {
    const lease = await Lease.create(layout);
    leases.push(lease);
    return lease;
  }

  it('names the protected digests until released', async () => {
    const lease = await createLease();
    await lease.protect([digestOf('a'), digestOf('b')]);
    await lease.protect([digestOf('a'), 'not a digest']);
    expect(await readLeasedDigests(layout)).to.deep.equal(new Set([digestOf('a'), digestOf('b')]));
    await lease.release();
    expect(await readLeasedDigests(layout)).to.deep.equal(new Set());
    expect(await readdir(layout.leases)).to.deep.equal([]);
  });

  it('drops the leases of dead owners and ignores a torn last line', async () => {
    const dead = formatStamp({ ...currentStamp(), start: '1' });
    await writeFile(join(layout.leases, `${dead}.0123456789ab.lease`), `${digestOf('dead')}\n`);
    const lease = await createLease();
    await lease.protect([digestOf('live')]);
    await writeFile(lease.path, `${digestOf('live')}\nsha256:12`, { flag: 'a' });
    expect(await readLeasedDigests(layout)).to.deep.equal(new Set([digestOf('live')]));
    expect(await readdir(layout.leases)).to.deep.equal([lease.path.split('/').pop()]);
  });

  it('protect waits while a live GC holds the store lock', async () => {
    const gc = await acquireGcLock(layout);
    const lease = await createLease();
    let done = false;
    const protecting = lease.protect([digestOf('x')]).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).to.equal(false);
    expect(await readLeasedDigests(layout)).to.include(digestOf('x'));
    await gc.release();
    await protecting;
    expect(done).to.equal(true);
  });

  it('protect does not wait for the lock of a dead GC', async () => {
    await writeFile(gcLockPath(layout), JSON.stringify({ owner: formatStamp({ ...currentStamp(), start: '1' }) }));
    const lease = await createLease();
    await lease.protect([digestOf('x')]);
  });

  it('a released lease refuses to protect', async () => {
    const lease = await createLease();
    await lease.release();
    const error = await lease.protect([digestOf('x')]).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('code', 'E_STORE');
  });
});
