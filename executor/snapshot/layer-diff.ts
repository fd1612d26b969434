// Computes a step's changes from an overlay mount: the upper folder says what was written, the
// base view (the lower layers as they were) and the merged view say what disappeared.
// - Every upper entry is an addition (absent from the base), a modification, or nothing (a folder
//   copied up with its mtime unchanged: something deeper changed, and the writer includes it as a
//   parent anyway; a folder whose own entries changed has a new mtime and is a modification, as
//   the reference's overlay2 diff, which writes every upper folder, shows it).
// - Deletions are found by comparison, never by xattrs: for every folder present in both the
//   upper and the base, a child the base has but the merged view lacks was deleted. That covers
//   plain `rm` (a 0/0 whiteout device in the upper) and `rm -rf dir; mkdir dir` (an opaque folder,
//   marked by an xattr Node cannot read) alike.
// The walking differ for the copy fallback lives in tree-diff.ts; both produce the same list.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Change, comparePaths, isMultiplyLinked, sameEntry } from './change.js';
import { isWhiteoutDevice, LayeredView, type TreeView } from './lower-view.js';
import type { PreparedRootfs } from './overlay.js';
import { ownerChangeCheck } from './owner-table.js';
import { diffTrees } from './tree-diff.js';
import { walkTree } from './tree-walk.js';

export interface LayerChanges {
  /** Sorted in walk order (comparePaths), deletions at the position of the deleted name. */
  readonly changes: readonly Change[];
  /** The folder the writer reads parent folders from (the upper, or the copied tree). */
  readonly sourceRoot: string;
}

/** The step's changes, however its rootfs was prepared. Call before prepared.cleanup(). */
export async function diffRootfs(prepared: PreparedRootfs): Promise<LayerChanges> {
  if (prepared.kind === 'copy') return diffTrees(prepared.base, prepared.merged, ownerChangeCheck(prepared.lowers));
  return diffOverlayUpper(prepared.upper, prepared.merged, new LayeredView(prepared.lowers));
}

/** Changes recorded in an overlay upper folder; `merged` is the mounted view, `base` the lowers. */
export async function diffOverlayUpper(upper: string, merged: string, base: TreeView): Promise<LayerChanges> {
  // The root is a folder present in both views too: top-level deletions are found here.
  const changes: Change[] = (await deletedChildren([], base, merged)).map((name) => ({ kind: 'delete', path: name }));
  for await (const entry of walkTree(upper)) {
    if (isWhiteoutDevice(entry.info)) continue; // its deletion is found through its folder below
    const path = entry.components.join('/');
    const before = await base.lstat(entry.components);
    if (before === null) {
      changes.push({ kind: 'add', path, stat: entry.info, host: entry.host });
    } else if (!(await sameEntry({ info: before, host: (await base.hostPath(entry.components))! }, entry))) {
      changes.push({ kind: 'modify', path, stat: entry.info, host: entry.host });
    } else if (isMultiplyLinked(entry.info)) {
      changes.push({ kind: 'unmodified', path, stat: entry.info, host: entry.host });
    }
    if (entry.info.isDirectory() && before?.isDirectory()) {
      for (const name of await deletedChildren(entry.components, base, merged)) {
        changes.push({ kind: 'delete', path: `${path}/${name}` });
      }
    }
  }
  changes.sort((a, b) => comparePaths(a.path, b.path));
  return { changes, sourceRoot: upper };
}

async function deletedChildren(components: readonly string[], base: TreeView, merged: string): Promise<string[]> {
  const before = (await base.children(components)) ?? [];
  if (before.length === 0) return [];
  const now = new Set(readdirSync(join(merged, ...components)));
  return before.filter((name) => !now.has(name));
}
