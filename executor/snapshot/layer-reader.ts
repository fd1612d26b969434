// Applies an OCI/Docker layer tar (plain or gzip) onto a folder through the in-root writer, with
// containerd's and moby's semantics and our security bar (SECURITY groups B and C):
// - names cleaned, leading `/` stripped, names climbing out refused (`invalid entry name`);
// - parents resolved in-root, symlinks followed in-root only; the final component replaced, never
//   written through (a hardlink followed by a file of the same name replaces the link, B4b);
// - hard link targets resolved in-root, and must already exist there (never a host inode);
// - whiteouts handled per `whiteouts` (see WhiteoutHandling) after all other entries;
// - device nodes skipped with a warning by default (B6), FIFOs created;
// - owners, modes (setuid kept) and mtimes applied; folder times last, once nothing else changes.
// Budgets bound bytes, the decompression ratio, entries, depth and PAX headers (B7); an error
// names the archive when the caller gave it a label.
import { lutimesSync } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { ArchiveError, budgetExceeded } from './archive-error.js';
import * as write from './in-root.js';
import { type EntryAttrs, type EntryLocation, type ImpliedDirAttrs, InRoot, lstatOrNull } from './in-root.js';
import { DEFAULT_EXPANSION_BUDGET, type ExpansionBudget, labelArchiveError } from './expansion-budget.js';
import { LayeredView } from './lower-view.js';
import { containerIds, lowerOwner, recordsOwners } from './owner-table.js';
import { TarInput, type TarInputDigests } from './tar-input.js';
import { type LayerEntry, toLayerEntry } from './tar-entry.js';
import { applyOverlayWhiteouts, applyRemovalWhiteouts, type PendingWhiteout, WrittenPaths } from './whiteout-apply.js';
import { classifyWhiteout } from './whiteout-names.js';

export interface LayerBudgets extends ExpansionBudget {
  readonly maxEntries: number;
  /** Path components per entry name (node-tar's default is 1024 too). */
  readonly maxDepth: number;
  /** Bytes of PAX records per entry (Go's archive/tar caps them at 1 MiB as well). */
  readonly maxPaxBytes: number;
}

export const DEFAULT_LAYER_BUDGETS: LayerBudgets = {
  ...DEFAULT_EXPANSION_BUDGET,
  maxEntries: 1_000_000,
  maxDepth: 1024,
  maxPaxBytes: 1024 ** 2,
};

/**
 * - overlay: `root` is a fresh snapshot folder over `lowers`; whiteouts become 0/0 char devices
 *   and opaque markers explicit ones (snapshots are therefore keyed by chain, like chain IDs).
 * - remove: `root` is a full tree (copy-mode snapshot); whiteouts delete in place.
 * - literal: `.wh.` names are ordinary files. This is what BuildKit and Docker do for `ADD` of a
 *   local archive (go-archive Untar without a whiteout converter); our layer writer then refuses
 *   to export such names (SECURITY A8), so they can never act as whiteouts downstream.
 */
export type WhiteoutHandling = 'overlay' | 'remove' | 'literal';

export interface ApplyLayerOptions {
  readonly whiteouts: WhiteoutHandling;
  /** overlay only: the parent chain's snapshot trees (snapshotTree(dir) of each), topmost first. */
  readonly lowers?: readonly string[];
  readonly budgets?: Partial<LayerBudgets>;
  /** What errors call the input, e.g. `ADD source "x.tar.gz"` or `layer sha256:…`. */
  readonly label?: string;
  /** The input's full (compressed) size, when known: the decompression ratio is judged against it. */
  readonly archiveBytes?: number;
  /** 'skip' (default) drops block and character devices with a warning; 'create' is for trusted input only. */
  readonly devices?: 'skip' | 'create';
  /**
   * Apply the archive's uid/gid. Defaults to "when ids can be set" (real root, or root of a user
   * namespace with a range); otherwise they are recorded (owner-table.ts).
   */
  readonly preserveOwners?: boolean;
  /** Every entry gets this owner instead of the archive's (`ADD --chown` of an archive, as BuildKit does). */
  readonly overrideOwner?: { readonly uid: number; readonly gid: number };
  /** remove/literal: attributes of parent folders the archive does not list (default 0755 root). */
  readonly impliedDirAttrs?: EntryAttrs;
  readonly onWarning?: (message: string) => void;
  readonly signal?: AbortSignal;
}

export interface RecordedXattrs {
  readonly path: string;
  readonly xattrs: Readonly<Record<string, string>>;
}

export interface ApplyLayerResult {
  readonly entries: number;
  readonly digests: TarInputDigests;
  /** PAX xattrs (security.capability…) seen but not applied: Node cannot set xattrs. */
  readonly xattrs: readonly RecordedXattrs[];
  /** Entries left out on purpose (device nodes, AUFS metadata), by archive name. */
  readonly skipped: readonly string[];
}

const DEFAULT_DIR: EntryAttrs = { mode: 0o755, uid: 0, gid: 0 };

/** Applies the layer in `input` onto `root`. On error the folder is left partly written. */
export async function applyLayer(input: Readable, root: string, options: ApplyLayerOptions): Promise<ApplyLayerResult> {
  const budgets = { ...DEFAULT_LAYER_BUDGETS, ...options.budgets };
  const tar = await TarInput.open(input, {
    maxBytes: budgets.maxBytes,
    maxRatio: budgets.maxRatio,
    ratioFloorBytes: budgets.ratioFloorBytes,
    ...(options.archiveBytes !== undefined ? { archiveBytes: options.archiveBytes } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }).catch((error: unknown) => {
    throw labelArchiveError(error, options.label);
  });
  const owners = options.preserveOwners ?? !recordsOwners();
  const applier = new LayerApplier(await InRoot.open(root, { owners }), { ...options, preserveOwners: owners });
  let entries = 0;
  try {
    for await (const { header, body } of tar.entries()) {
      if (++entries > budgets.maxEntries) throw budgetExceeded('maxEntries', budgets.maxEntries, header.name);
      const entry = toLayerEntry(header, budgets);
      if (entry !== null) await applier.apply(entry, body);
    }
  } catch (error) {
    // A truncated input surfaces as "stream destroyed" in a file body; explain() finds the cause.
    throw labelArchiveError(await tar.explain(error), options.label);
  }
  await applier.finish();
  return { entries, digests: tar.digests(), xattrs: applier.xattrs, skipped: applier.skipped };
}

class LayerApplier {
  readonly xattrs: RecordedXattrs[] = [];
  readonly skipped: string[] = [];
  private readonly whiteouts: PendingWhiteout[] = [];
  private readonly written = new WrittenPaths();
  /** Folders whose mtime is set at the very end, by host path (the last entry wins). */
  private readonly dirTimes = new Map<string, Date>();
  private readonly lower: LayeredView;
  private readonly owners: boolean;
  private readonly implied: ImpliedDirAttrs;

  constructor(
    private readonly root: InRoot,
    private readonly options: ApplyLayerOptions,
  ) {
    this.lower = new LayeredView(options.lowers ?? []);
    this.owners = options.preserveOwners ?? false;
    this.implied = options.whiteouts === 'overlay' ? (components) => this.impliedFromLower(components) : async () => options.impliedDirAttrs ?? DEFAULT_DIR;
  }

  async apply(entry: LayerEntry, body: AsyncIterable<Buffer>): Promise<void> {
    if (this.options.whiteouts !== 'literal') {
      const whiteout = classifyWhiteout(entry.name, entry.rawName);
      if (whiteout.kind === 'meta') return this.skip(entry, 'AUFS metadata');
      if (whiteout.kind !== 'none') {
        this.whiteouts.push(whiteout);
        return;
      }
    }
    if ((entry.type === 'char' || entry.type === 'block') && this.options.devices !== 'create') {
      return this.skip(entry, 'device nodes from archives are not created');
    }
    const linkTarget = entry.type === 'hardlink' ? await this.hardlinkTarget(entry) : '';
    const location = await this.root.entryLocation(entry.name, this.implied);
    this.noteCreated(location.createdDirs);
    const existing = lstatOrNull(location.host);
    if (existing !== null && !(existing.isDirectory() && entry.type === 'dir')) await write.removeEntry(location.host);
    await this.create(entry, location, body, linkTarget, existing?.isDirectory() === true);
    this.written.add(location.components);
    if (Object.keys(entry.xattrs).length > 0) this.xattrs.push({ path: location.components.join('/'), xattrs: entry.xattrs });
  }

  async finish(): Promise<void> {
    if (this.options.whiteouts === 'overlay') {
      await applyOverlayWhiteouts(this.whiteouts, { upper: this.root, lower: this.lower, implied: this.implied, noteCreated: (dirs) => this.noteCreated(dirs) });
      await write.setEntryAttrs(this.root.root, await this.lowerDirAttrs([]), this.owners);
    } else if (this.options.whiteouts === 'remove') {
      await applyRemovalWhiteouts(this.whiteouts, this.root, this.written);
    }
    for (const [host, mtime] of this.dirTimes) {
      if (lstatOrNull(host)?.isDirectory()) lutimesSync(host, mtime, mtime);
    }
  }

  private async create(entry: LayerEntry, at: EntryLocation, body: AsyncIterable<Buffer>, linkTarget: string, mergeDir: boolean): Promise<void> {
    const owner = this.options.overrideOwner ?? entry;
    const attrs: EntryAttrs = { mode: entry.mode, uid: owner.uid, gid: owner.gid, mtime: entry.mtime };
    switch (entry.type) {
      case 'file':
        return write.writeNewFile(at.host, body, attrs, this.owners);
      case 'dir': {
        const dirAttrs = { mode: entry.mode, uid: owner.uid, gid: owner.gid };
        if (mergeDir) await write.setEntryAttrs(at.host, dirAttrs, this.owners);
        else await write.makeDir(at.host, dirAttrs, this.owners);
        this.dirTimes.set(at.host, entry.mtime);
        return;
      }
      case 'symlink':
        return write.makeSymlink(at.host, entry.linkname, attrs, this.owners);
      case 'hardlink':
        await write.makeHardlink(at.host, linkTarget);
        return write.setEntryAttrs(at.host, attrs, this.owners);
      default:
        await write.makeDeviceNode(at.host, entry.type, entry.devmajor, entry.devminor);
        return write.setEntryAttrs(at.host, attrs, this.owners);
    }
  }

  /**
   * containerd's hardlinkRootPath: the link name is cleaned with `..` clamped at the root, its
   * parent resolved in-root (symlinks followed), its last component not followed. The target must
   * exist in this root; for an overlay snapshot that means in this layer (as with moby overlay2).
   */
  private async hardlinkTarget(entry: LayerEntry): Promise<string> {
    const parts = posix.normalize(`/${entry.linkname}`).split('/').filter(Boolean);
    const base = parts.pop();
    const parent = base === undefined ? null : await this.root.resolve(parts, true);
    const target = parent && parent.missing.length === 0 ? this.root.hostPath([...parent.existing, base!]) : null;
    if (target === null || lstatOrNull(target) === null) {
      const where = this.options.whiteouts === 'overlay' ? ' in this layer' : '';
      throw new ArchiveError('link-target', `hard link ${JSON.stringify(entry.rawName)} points to ${JSON.stringify(entry.linkname)}, which does not exist${where}`, { entry: entry.rawName });
    }
    return target;
  }

  private async lowerDirAttrs(components: readonly string[]): Promise<EntryAttrs> {
    const info = await this.lower.lstat(components);
    if (info === null || !info.isDirectory()) return DEFAULT_DIR;
    // Without root the lower's host owner is the build user: its recorded owner is the real one.
    const owner = this.owners ? { uid: Number(info.uid), gid: Number(info.gid) } : ((await lowerOwner(this.lower, components.join('/'))) ?? containerIds(info));
    return { mode: Number(info.mode) & 0o7777, ...owner, mtime: new Date(Number(info.mtimeMs)) };
  }

  private noteCreated(dirs: readonly (readonly string[])[]): void {
    for (const components of dirs) this.written.add(components);
  }

  /** overlay: a parent folder made in the upper copies the lower folder's attributes, time included. */
  private async impliedFromLower(components: readonly string[]): Promise<EntryAttrs> {
    const attrs = await this.lowerDirAttrs(components);
    if (attrs.mtime) this.dirTimes.set(this.root.hostPath(components), attrs.mtime);
    return attrs;
  }

  private skip(entry: LayerEntry, why: string): void {
    this.skipped.push(entry.rawName);
    this.options.onWarning?.(`skipping ${JSON.stringify(entry.rawName)}: ${why}`);
  }
}
