// Ownership as the container sees it, for builds by an ordinary user. Without root the engine
// cannot chown: every file it unpacks, copies or a step creates belongs to the build user on the
// host, whom the sandbox's user namespace maps to container root (the single mapping "me = 0").
// So the owners a layer must carry are kept beside the trees instead:
// - a folder is *tracked* while it is written (a snapshot being unpacked, a step's rootfs); every
//   owner the writers (in-root.ts) were asked to set but could not is recorded in its table;
// - an unpacked snapshot keeps its table in `owners.json` next to its tree (only ids other than
//   0:0 are listed: a path the table lacks is root's);
// - reading an owner back (the layer writer, COPY --from) asks, in order: the table of the tracked
//   folder, the snapshot below that provides the path, and finally the host owner translated
//   through the mapping (the build user is 0:0).
// As root nothing is tracked and every owner is the host's: the real ids are used.
import type { BigIntStats, Stats } from 'node:fs';
import { readFileSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { LayeredView } from './lower-view.js';

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** What a rootless sandbox shows for a host id it does not map (the kernel's overflow id). */
export const OVERFLOW_ID = 65534;
const OWNERS_FILE = 'owners.json';

let recording: boolean | undefined;

/**
 * Whether owners are recorded rather than set: true for an ordinary user, and for root of a user
 * namespace that maps a single id (`unshare -r`), where chown to any other id fails. Real root, or
 * root of a namespace with a range of ids, sets them.
 */
export function recordsOwners(): boolean {
  recording ??= process.getuid?.() !== 0 || mappedUidCount() <= 1;
  return recording;
}

function mappedUidCount(): number {
  try {
    const lines = readFileSync('/proc/self/uid_map', 'utf8').trim().split('\n');
    return lines.reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[2] ?? 0), 0);
  } catch {
    return Number.MAX_SAFE_INTEGER; // no /proc: assume the ids are real
  }
}

/** Host owner → container owner under the single mapping (the build user is root). */
export function containerIds(info: Pick<Stats | BigIntStats, 'uid' | 'gid'>): Owner {
  const uid = Number(info.uid);
  const gid = Number(info.gid);
  if (!recordsOwners()) return { uid, gid };
  // Root of a single-id namespace already sees the build user as 0 (and everything else as overflow).
  return { uid: uid === process.getuid?.() ? 0 : OVERFLOW_ID, gid: gid === process.getgid?.() ? 0 : OVERFLOW_ID };
}

/**
 * Owners by root-relative path ('' is the root). 0:0 is kept too (a step's write over a lower
 * file owned by someone else must win over the lower), but never saved: absent means 0:0 there.
 */
export class OwnerTable {
  private readonly owners = new Map<string, Owner>();

  get(path: string): Owner | undefined {
    return this.owners.get(path);
  }

  set(path: string, owner: Owner): void {
    this.owners.set(path, { uid: owner.uid, gid: owner.gid });
  }

  entries(): IterableIterator<[string, Owner]> {
    return this.owners.entries();
  }

  /** How many entries are not 0:0 (what a saved table holds). */
  get size(): number {
    return [...this.owners.values()].filter((owner) => owner.uid !== 0 || owner.gid !== 0).length;
  }

  toJSON(): Record<string, [number, number]> {
    const out: Record<string, [number, number]> = {};
    for (const [path, owner] of [...this.owners].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (owner.uid !== 0 || owner.gid !== 0) out[path] = [owner.uid, owner.gid];
    }
    return out;
  }

  static fromJSON(data: Record<string, [number, number]>): OwnerTable {
    const table = new OwnerTable();
    for (const [path, [uid, gid]] of Object.entries(data)) table.set(path, { uid, gid });
    return table;
  }
}

interface Tracked {
  readonly roots: readonly string[];
  readonly table: OwnerTable;
  readonly lowers: LayeredView | undefined;
}

const tracked = new Set<Tracked>();
const snapshotTables = new Map<string, OwnerTable>();

/**
 * Records owners written below `root` until the returned function is called. `lowers` (snapshot
 * trees, topmost first) answer for paths the step did not write. Does nothing as root.
 */
export function trackOwners(root: string, lowers: readonly string[] = []): { table: OwnerTable; untrack(): void } {
  const table = new OwnerTable();
  if (!recordsOwners()) return { table, untrack: () => undefined };
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // not there yet: the given path is all there is
  }
  const entry: Tracked = { roots: [...new Set([root, real])], table, lowers: lowers.length > 0 ? new LayeredView(lowers) : undefined };
  tracked.add(entry);
  return { table, untrack: () => void tracked.delete(entry) };
}

/** Finds the tracked folder holding `host` and the path inside it. */
function lookup(host: string): { entry: Tracked; path: string } | undefined {
  for (const entry of tracked) {
    for (const root of entry.roots) {
      if (host === root) return { entry, path: '' };
      if (host.startsWith(root + sep)) return { entry, path: host.slice(root.length + 1) };
    }
  }
  return undefined;
}

/** Called by the writers when they could not set an owner: remembered for a tracked folder. */
export function recordOwner(host: string, owner: Owner): void {
  if (tracked.size === 0) return;
  const found = lookup(host);
  found?.entry.table.set(found.path, owner);
}

/** A hard link made by a writer shares its target's owner. */
export function recordLinkOwner(host: string, targetHost: string): void {
  if (tracked.size === 0) return;
  const target = lookup(targetHost);
  const owner = target?.entry.table.get(target.path);
  if (owner) recordOwner(host, owner);
}

/** The owner the container means for the entry at `host` (whose lstat is `info`). */
export async function containerOwner(host: string, info: Pick<Stats | BigIntStats, 'uid' | 'gid'>): Promise<Owner> {
  if (!recordsOwners()) return { uid: Number(info.uid), gid: Number(info.gid) };
  const found = lookup(host);
  if (found !== undefined) {
    const own = found.entry.table.get(found.path);
    if (own) return own;
    const below = found.entry.lowers ? await lowerOwner(found.entry.lowers, found.path) : undefined;
    if (below) return below;
  }
  return containerIds(info);
}

/**
 * Every owner other than 0:0 in the tracked folder `root` (a step's rootfs): the lowers' entries
 * still visible, then the step's own records. Empty when `root` is not tracked (or as root).
 */
export async function ownersOf(root: string): Promise<Map<string, Owner>> {
  const found = lookup(root);
  const owners = new Map<string, Owner>();
  if (found === undefined || found.path !== '') return owners;
  const { lowers, table } = found.entry;
  for (const layer of lowers ? [...lowers.layers].reverse() : []) {
    for (const [path, owner] of snapshotOwners(layer).entries()) {
      const host = await lowers!.hostPath(path === '' ? [] : path.split('/'));
      if (host !== null && (host === layer || host.startsWith(layer + sep))) owners.set(path, owner);
    }
  }
  for (const [path, owner] of table.entries()) owners.set(path, owner);
  for (const [path, owner] of owners) if (owner.uid === 0 && owner.gid === 0) owners.delete(path);
  return owners;
}

/** Replaces what the tracked folder `root` records: `owners` for those paths, 0:0 for `cleared`. */
export function recordOwnersOf(root: string, cleared: Iterable<string>, owners: ReadonlyMap<string, Owner>): void {
  const found = lookup(root);
  if (found === undefined || found.path !== '') return;
  for (const path of cleared) found.entry.table.set(path, { uid: 0, gid: 0 });
  for (const [path, owner] of owners) found.entry.table.set(path, owner);
}

/** For the differ: whether an entry's container owner changed, when the host owner cannot show it. */
export type OwnerChangeCheck = (path: string, before: BigIntStats, host: string, now: BigIntStats) => Promise<boolean>;

/** An OwnerChangeCheck against `lowers` (snapshot trees, topmost first); undefined as real root. */
export function ownerChangeCheck(lowers: readonly string[]): OwnerChangeCheck | undefined {
  if (!recordsOwners()) return undefined;
  const view = new LayeredView(lowers);
  return async (path, before, host, now) => {
    const was = (await lowerOwner(view, path)) ?? containerIds(before);
    const is = await containerOwner(host, now);
    return was.uid !== is.uid || was.gid !== is.gid;
  };
}

/** The owner of `path` in a stack of snapshots, from the table of the snapshot providing it. */
export async function lowerOwner(lowers: LayeredView, path: string): Promise<Owner | undefined> {
  const components = path === '' ? [] : path.split('/');
  const hostPath = await lowers.hostPath(components);
  if (hostPath === null) return undefined;
  const layer = lowers.layers.find((tree) => hostPath === tree || hostPath.startsWith(tree + sep));
  if (layer === undefined) return undefined;
  return snapshotOwners(layer).get(path) ?? { uid: 0, gid: 0 };
}

/** The table kept next to a snapshot tree (`<snapshot>/fs` → `<snapshot>/owners.json`). */
export function snapshotOwners(tree: string): OwnerTable {
  let table = snapshotTables.get(tree);
  if (table === undefined) {
    try {
      table = OwnerTable.fromJSON(JSON.parse(readFileSync(join(dirname(tree), OWNERS_FILE), 'utf8')) as Record<string, [number, number]>);
    } catch {
      table = new OwnerTable();
    }
    if (snapshotTables.size > 4096) snapshotTables.clear();
    snapshotTables.set(tree, table);
  }
  return table;
}

/** Saves the table of a snapshot being unpacked (folder `dest`, tree `dest/fs`); nothing when empty. */
export async function saveSnapshotOwners(dest: string, table: OwnerTable): Promise<void> {
  if (table.size === 0) return;
  await writeFile(join(dest, OWNERS_FILE), JSON.stringify(table), { mode: 0o644 });
}
