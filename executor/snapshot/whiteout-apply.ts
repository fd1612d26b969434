// Applies a layer's whiteouts once all its other entries are written. Waiting until the end is
// what makes the result independent of entry order: a whiteout only ever concerns the layers
// *below* (image-spec: "MUST only apply to resources in lower/parent layers"), so nothing the same
// layer wrote is removed, and an opaque marker behaves as if it came before its folder's entries
// wherever it appears (SECURITY C1, C2).
//
// Two targets:
// - overlay snapshots (a fresh folder over a chain of lower snapshots): nothing is deleted; a
//   0/0 character device is created for every lower name that must disappear. Opaque markers
//   become one such device per child the lower view has, because we cannot set the
//   trusted.overlay.opaque xattr from Node (and would not want to depend on it).
// - flat trees (copy-mode snapshots): the lower content is removed in place, in-root, never
//   following a symlink at the final component (SECURITY C4, C5).
import { readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { type ImpliedDirAttrs, type InRoot, lstatOrNull, makeDeviceNode, removeEntry } from './in-root.js';
import type { TreeView } from './lower-view.js';
import type { WhiteoutName } from './whiteout-names.js';

export type PendingWhiteout = Exclude<WhiteoutName, { kind: 'none' } | { kind: 'meta' }>;

/** Paths (resolved components joined by `/`) that this layer wrote, and their ancestors. */
export class WrittenPaths {
  private readonly written = new Set<string>();
  private readonly ancestors = new Set<string>();

  add(components: readonly string[]): void {
    this.written.add(components.join('/'));
    for (let i = 1; i < components.length; i++) this.ancestors.add(components.slice(0, i).join('/'));
  }

  /** True when nothing at or below `components` was written by this layer. */
  untouched(components: readonly string[]): boolean {
    const key = components.join('/');
    return !this.written.has(key) && !this.ancestors.has(key);
  }
}

export interface OverlayWhiteoutContext {
  readonly upper: InRoot;
  readonly lower: TreeView;
  readonly implied: ImpliedDirAttrs;
  /** Called with folders created on the way, so their times can be restored at the end. */
  readonly noteCreated: (dirs: readonly (readonly string[])[]) => void;
}

export async function applyOverlayWhiteouts(pending: readonly PendingWhiteout[], ctx: OverlayWhiteoutContext): Promise<void> {
  for (const whiteout of pending) {
    const dir = await overlayFolder(whiteout.dir, ctx);
    if (dir === null) continue; // the lower view has nothing there to hide
    if (whiteout.kind === 'opaque') await hideLowerChildren(dir, ctx);
    else await hideLowerEntry([...dir, posix.basename(whiteout.target)], ctx);
  }
}

/** The folder a whiteout lives in, created in the upper only when the lower view has it. */
async function overlayFolder(dir: string, ctx: OverlayWhiteoutContext): Promise<readonly string[] | null> {
  const { existing, missing } = await ctx.upper.resolve(dir, true);
  if (missing.length > 0) {
    const inLower = await ctx.lower.lstat([...existing, ...missing]);
    if (inLower === null || !inLower.isDirectory()) return null;
  } else {
    const info = lstatOrNull(ctx.upper.hostPath(existing));
    if (info === null || !info.isDirectory()) return null;
  }
  const location = await ctx.upper.ensureDir(dir, ctx.implied);
  ctx.noteCreated(location.createdDirs);
  return location.components;
}

async function hideLowerEntry(components: readonly string[], ctx: OverlayWhiteoutContext): Promise<void> {
  const inUpper = lstatOrNull(ctx.upper.hostPath(components));
  if (inUpper !== null) {
    // Written by this layer: it stays. A folder would still merge with the lower one, so the
    // lower folder's children are hidden one by one (an explicit opaque folder).
    if (inUpper.isDirectory()) await hideLowerChildren(components, ctx);
    return;
  }
  if ((await ctx.lower.lstat(components)) !== null) await makeDeviceNode(ctx.upper.hostPath(components), 'char', 0, 0);
}

async function hideLowerChildren(components: readonly string[], ctx: OverlayWhiteoutContext): Promise<void> {
  for (const name of (await ctx.lower.children(components)) ?? []) await hideLowerEntry([...components, name], ctx);
}

/** Flat trees: removes lower content in place, keeping whatever this layer wrote. */
export async function applyRemovalWhiteouts(pending: readonly PendingWhiteout[], root: InRoot, written: WrittenPaths): Promise<void> {
  for (const whiteout of pending) {
    const { existing, missing } = await root.resolve(whiteout.dir, true);
    if (missing.length > 0) continue; // nothing there; a whiteout never creates folders here
    const info = lstatOrNull(root.hostPath(existing));
    if (info === null || !info.isDirectory()) continue;
    if (whiteout.kind === 'whiteout') {
      await prune([...existing, posix.basename(whiteout.target)], root, written);
      continue;
    }
    for (const name of readdirSync(root.hostPath(existing))) await prune([...existing, name], root, written);
  }
}

async function prune(components: readonly string[], root: InRoot, written: WrittenPaths): Promise<void> {
  if (written.untouched(components)) {
    await removeEntry(root.hostPath(components)); // unlinks a symlink, never its target
    return;
  }
  const info = lstatOrNull(root.hostPath(components));
  if (info === null || !info.isDirectory()) return;
  for (const name of readdirSync(root.hostPath(components))) await prune([...components, name], root, written);
}
