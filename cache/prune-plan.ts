// What a prune removes, decided as a pure function of what is stored, what is protected and
// the policy, so the LRU rules can be read and tested without a disk.
//
// The unit of removal is a blob together with the records that point to it (a record without
// its blob is useless, and removing records first means no record ever points to a missing
// blob, even after a crash mid-prune); a record without a layer is a unit of its own. A unit's
// last use is the latest of its records' last uses and, for a blob, its own publish time.
// Damaged records and records whose blob is gone are always removed: they can only miss.
//
// Policy: candidates are unprotected units; `until` keeps those used within that many ms;
// without `until`, `all` or `keepStorage` only orphans (blobs no record points to) go. With
// `keepStorage`, candidates are removed orphans first, then least recently used first, until
// the build cache (blobs and records) fits.

export interface PlanBlob {
  readonly digest: string;
  readonly bytes: number;
  readonly mtimeMs: number;
}

export interface PlanRecord {
  readonly key: string;
  readonly bytes: number;
  readonly lastUsedMs: number;
  /** The layer blob; null for a record without a layer; undefined for a damaged record. */
  readonly layerDigest: string | null | undefined;
}

export interface PrunePolicy {
  readonly all?: boolean;
  /** Keep what was used within this many milliseconds. */
  readonly until?: number;
  /** Remove until the blobs and records take at most this many bytes. */
  readonly keepStorage?: number;
  readonly now: number;
}

export interface PrunePlan {
  readonly blobs: string[];
  readonly records: string[];
  bytes: number;
}

interface Unit {
  readonly blob: string | undefined;
  readonly records: string[];
  bytes: number;
  lastUsedMs: number;
}

export function planPrune(blobs: readonly PlanBlob[], records: readonly PlanRecord[], protectedDigests: ReadonlySet<string>, policy: PrunePolicy): PrunePlan {
  const plan: PrunePlan = { blobs: [], records: [], bytes: 0 };
  const units = groupUnits(blobs, records, plan);
  let total = units.reduce((sum, unit) => sum + unit.bytes, 0);
  for (const unit of candidates(units, protectedDigests, policy)) {
    if (policy.keepStorage !== undefined && total <= policy.keepStorage) break;
    if (unit.blob !== undefined) plan.blobs.push(unit.blob);
    plan.records.push(...unit.records);
    plan.bytes += unit.bytes;
    total -= unit.bytes;
  }
  return plan;
}

/** Units of removal; damaged and dangling records go straight into the plan. */
function groupUnits(blobs: readonly PlanBlob[], records: readonly PlanRecord[], plan: PrunePlan): Unit[] {
  const byBlob = new Map<string, Unit>(blobs.map((blob) => [blob.digest, { blob: blob.digest, records: [], bytes: blob.bytes, lastUsedMs: blob.mtimeMs }]));
  const units = [...byBlob.values()];
  for (const record of records) {
    if (record.layerDigest === null) {
      units.push({ blob: undefined, records: [record.key], bytes: record.bytes, lastUsedMs: record.lastUsedMs });
      continue;
    }
    const unit = record.layerDigest === undefined ? undefined : byBlob.get(record.layerDigest);
    if (unit === undefined) {
      plan.records.push(record.key);
      plan.bytes += record.bytes;
      continue;
    }
    unit.records.push(record.key);
    unit.bytes += record.bytes;
    unit.lastUsedMs = Math.max(unit.lastUsedMs, record.lastUsedMs);
  }
  return units;
}

function candidates(units: Unit[], protectedDigests: ReadonlySet<string>, policy: PrunePolicy): Unit[] {
  const orphan = (unit: Unit): boolean => unit.blob !== undefined && unit.records.length === 0;
  let chosen = units.filter((unit) => unit.blob === undefined || !protectedDigests.has(unit.blob));
  if (policy.until !== undefined) chosen = chosen.filter((unit) => unit.lastUsedMs < policy.now - policy.until!);
  else if (!policy.all && policy.keepStorage === undefined) chosen = chosen.filter(orphan);
  return chosen.sort((a, b) => Number(orphan(b)) - Number(orphan(a)) || a.lastUsedMs - b.lastUsedMs || unitName(a).localeCompare(unitName(b)));
}

function unitName(unit: Unit): string {
  return unit.blob ?? unit.records[0]!;
}
