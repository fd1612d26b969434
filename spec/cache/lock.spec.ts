import { expect } from 'chai';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock, lockState, readLockOwner, tryLock } from '../../cache/lock.js';
import { currentStamp, formatStamp, type ProcessStamp } from '../../cache/process-stamp.js';
import type { RootLayout } from '../../cache/root.js';
import { makeTempRoot } from './fixtures/temp-root.js';

/** This process with another start time: provably a dead process. */
const deadOwner: ProcessStamp = { ...currentStamp(), start: '1' };
/** A process in another pid namespace: cannot be judged, must be respected. */
const foreignOwner: ProcessStamp = { ...currentStamp(), pidns: '1' };

async function plantLock(path: string, owner: ProcessStamp): Promise<void> {
  await writeFile(path, JSON.stringify({ owner: formatStamp(owner), purpose: 'planted', created: 0, token: 'x' }));
}

describe('cache/lock', () => {
  let layout: RootLayout;
  let remove: () => Promise<void>;
  let path: string;
  let tmpDir: string;

  beforeEach(async () => {
    ({ layout, remove } = await makeTempRoot());
    path = join(layout.locks, 'test.lock');
    tmpDir = layout.tmp;
  });
  afterEach(() => remove());

  it('is exclusive until released, and names its owner', async () => {
    const held = await tryLock(path, { tmpDir, purpose: 'testing' });
    expect(held).to.not.equal(undefined);
    expect(await tryLock(path, { tmpDir })).to.equal(undefined);
    expect(await lockState(path)).to.equal('held');
    expect(await readLockOwner(path)).to.deep.include({ stamp: currentStamp(), purpose: 'testing' });
    await held!.release();
    await held!.release();
    expect(await lockState(path)).to.equal('free');
    expect(await tryLock(path, { tmpDir })).to.not.equal(undefined);
    expect(await readdir(tmpDir)).to.deep.equal([]);
  });

  it('gives the lock to exactly one of many concurrent takers', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => tryLock(path, { tmpDir })));
    expect(results.filter((r) => r !== undefined)).to.have.length(1);
  });

  it('waits for a release', async () => {
    const held = (await tryLock(path, { tmpDir }))!;
    setTimeout(() => void held.release(), 100);
    const started = Date.now();
    const next = await acquireLock(path, { tmpDir, timeoutMs: 5000 });
    expect(Date.now() - started).to.be.at.least(90);
    await next.release();
  });

  it('times out with E_STORE naming the holder, and stops on abort with E_ABORTED', async () => {
    await tryLock(path, { tmpDir, purpose: 'a long build' });
    const timeout = await acquireLock(path, { tmpDir, timeoutMs: 50 }).then(() => undefined, (e: unknown) => e);
    expect(timeout).to.have.property('code', 'E_STORE');
    expect((timeout as Error).message).to.match(new RegExp(`held by pid ${process.pid} \\(a long build\\)`));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await acquireLock(path, { tmpDir, signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    expect(aborted).to.have.property('code', 'E_ABORTED');
  });

  it('breaks the lock of a dead owner', async () => {
    await plantLock(path, deadOwner);
    expect(await lockState(path)).to.equal('stale');
    const held = await tryLock(path, { tmpDir });
    expect(held).to.not.equal(undefined);
    expect(await readLockOwner(path)).to.deep.include({ stamp: currentStamp() });
    expect((await readdir(layout.locks)).sort()).to.deep.equal(['test.lock']);
  });

  it('respects the lock of an owner it cannot judge (another pid namespace)', async () => {
    await plantLock(path, foreignOwner);
    expect(await tryLock(path, { tmpDir })).to.equal(undefined);
  });

  it('respects a young unreadable lock file and breaks an old one', async () => {
    await writeFile(path, '');
    expect(await tryLock(path, { tmpDir })).to.equal(undefined);
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    expect(await tryLock(path, { tmpDir })).to.not.equal(undefined);
  });

  it('recovers from a breaker that died while breaking', async () => {
    await plantLock(path, deadOwner);
    await plantLock(`${path}.break`, deadOwner);
    const held = await acquireLock(path, { tmpDir, timeoutMs: 2000 });
    expect(await readLockOwner(path)).to.deep.include({ stamp: currentStamp() });
    await held.release();
    expect(await readdir(layout.locks)).to.deep.equal([]);
  });

  it('release never removes a lock that is no longer its own', async () => {
    const held = (await tryLock(path, { tmpDir }))!;
    await plantLock(path, foreignOwner);
    await held.release();
    expect(await lockState(path)).to.equal('held');
  });

  it('many concurrent breakers of one stale lock leave one holder', async () => {
    await plantLock(path, deadOwner);
    const results = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      await sleep(i % 3);
      return tryLock(path, { tmpDir });
    }));
    expect(results.filter((r) => r !== undefined)).to.have.length(1);
  });
});
