import { expect } from 'chai';
import { planPrune, type PlanBlob, type PlanRecord } from '../../cache/prune-plan.js';

const blob = (name: string, bytes: number, mtimeMs = 0): PlanBlob => ({ digest: name, bytes, mtimeMs });
const record = (key: string, layerDigest: string | null | undefined, lastUsedMs: number, bytes = 1): PlanRecord => ({ key, bytes, lastUsedMs, layerDigest });

describe('cache/prune-plan', () => {
  const blobs = [blob('old', 100), blob('mid', 100), blob('new', 100), blob('orphan', 100, 50), blob('kept', 100)];
  const records = [
    record('r-old', 'old', 10),
    record('r-mid', 'mid', 20),
    record('r-new', 'new', 30),
    record('r-new-2', 'new', 5),
    record('r-kept', 'kept', 1),
    record('r-meta', null, 15),
    record('r-damaged', undefined, 40),
    record('r-dangling', 'gone', 40),
  ];
  const kept = new Set(['kept']);

  it('by default removes only orphan blobs, damaged records and records of missing blobs', () => {
    const plan = planPrune(blobs, records, kept, { now: 100 });
    expect(plan.blobs).to.deep.equal(['orphan']);
    expect(plan.records.sort()).to.deep.equal(['r-damaged', 'r-dangling']);
    expect(plan.bytes).to.equal(102);
  });

  it('with all removes everything unprotected, a blob together with its records', () => {
    const plan = planPrune(blobs, records, kept, { all: true, now: 100 });
    expect(plan.blobs.sort()).to.deep.equal(['mid', 'new', 'old', 'orphan']);
    expect(plan.records).to.include.members(['r-old', 'r-mid', 'r-new', 'r-new-2', 'r-meta']);
    expect(plan.records).to.not.include('r-kept');
  });

  it('with until keeps what was used recently (a blob counts its latest record)', () => {
    const plan = planPrune(blobs, records, kept, { until: 75, now: 100 });
    expect(plan.blobs.sort()).to.deep.equal(['mid', 'old']);
    expect(plan.records).to.include('r-meta');
  });

  it('with keepStorage removes orphans, then least recently used, until it fits', () => {
    // 5 blobs (500) + 6 surviving records (6) = 506 bytes. To fit in 310: orphan (406), then old (305).
    const plan = planPrune(blobs, records, kept, { keepStorage: 310, now: 100 });
    expect(plan.blobs).to.deep.equal(['orphan', 'old']);
    expect(plan.records.filter((key) => !key.startsWith('r-d'))).to.deep.equal(['r-old']);
    // To fit in 200: then r-meta (304, used at 15), mid (203, at 20), new (101, at 30); never kept.
    const tighter = planPrune(blobs, records, kept, { keepStorage: 200, now: 100 });
    expect(tighter.blobs).to.deep.equal(['orphan', 'old', 'mid', 'new']);
    expect(tighter.records.filter((key) => !key.startsWith('r-d'))).to.deep.equal(['r-old', 'r-meta', 'r-mid', 'r-new', 'r-new-2']);
  });

  it('never plans to remove a protected blob, even when nothing else fits', () => {
    const plan = planPrune(blobs, records, new Set(['kept', 'old', 'mid', 'new', 'orphan']), { keepStorage: 0, now: 100 });
    expect(plan.blobs).to.deep.equal([]);
    expect(plan.records.sort()).to.deep.equal(['r-damaged', 'r-dangling', 'r-meta']);
  });
});
