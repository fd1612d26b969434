// Turns a finished step's overlay upper folder into the snapshot tree of its layer, instead of
// unpacking the layer tar it was just written to (a second pass creating every file again). The
// upper is already in the snapshot format (overlay format: 0/0 character devices hide lower
// names), like the layer folders Docker's overlay2 driver keeps. It is made to hold what the
// unpacked tar would hold, so a step sees the same tree on a cache hit as after a miss:
// - times are cut to whole seconds (the tar keeps seconds), access time = modification time;
// - sockets and device nodes other than whiteouts are removed (the tar skips sockets, the unpack
//   skips devices);
// - a folder the step emptied and refilled is opaque through an xattr that Node can neither read
//   nor remove. It is found through the diff (a deleted name without a whiteout device), made
//   again as a plain folder holding the same entries, and each deleted name gets a whiteout
//   device, as the unpack makes it. (Whiteout devices inside a still-opaque folder would show up
//   in listings: overlayfs passes such a folder's entries through unfiltered.)
// Extended attributes the step set stay (the tar has no place for them; Node cannot remove them).
import { chmodSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readdirSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { lstatOrNull, makeDeviceNode } from './in-root.js';
import { isWhiteoutDevice } from './lower-view.js';
import { walkTree } from './tree-walk.js';

/** `deletions`: the paths the layer deletes (relative, `/`-separated), from the step's diff. */
export async function normalizeUpper(upper: string, deletions: readonly string[], clampSeconds: number | null = null): Promise<void> {
  // Times are taken before anything changes here (removing or remaking changes a folder's mtime).
  const times = new Map<string, number>([[upper, wholeSeconds(lstatSync(upper).mtimeMs)]]);
  const removed: string[] = [];
  for await (const entry of walkTree(upper)) {
    const { info } = entry;
    if (info.isSocket() || ((info.isCharacterDevice() || info.isBlockDevice()) && !isWhiteoutDevice(info))) removed.push(entry.host);
    else times.set(entry.host, Number(info.mtimeNs / 1_000_000_000n));
  }
  for (const host of removed) unlinkSync(host);
  const unmarked = deletions.map((path) => path.split('/')).filter((parts) => lstatOrNull(join(upper, ...parts)) === null);
  for (const folder of new Set(unmarked.map((parts) => parts.slice(0, -1).join('/')))) {
    if (folder !== '') remakeFolder(join(upper, ...folder.split('/')));
  }
  for (const parts of unmarked) await makeDeviceNode(join(upper, ...parts), 'char', 0, 0);
  // The layer's times were clamped to the build's epoch (layer-writer.ts); the snapshot that stands
  // for it must hold the same times, as unpacking the layer would give.
  for (const [host, seconds] of times) setTimes(host, clampSeconds === null ? seconds : Math.min(seconds, clampSeconds));
}

/** The same folder (owner, mode, entries) without its xattrs: a new one, the entries moved in. */
function remakeFolder(host: string): void {
  const info = lstatSync(host);
  const fresh = `${host}.tsbuild-remake`;
  mkdirSync(fresh, 0o700);
  for (const name of readdirSync(host)) renameSync(join(host, name), join(fresh, name));
  lchownSync(fresh, info.uid, info.gid);
  chmodSync(fresh, info.mode & 0o7777);
  rmdirSync(host);
  renameSync(fresh, host);
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** lutimes never follows a symlink; for anything else it is utimes. */
function setTimes(host: string, seconds: number): void {
  lutimesSync(host, seconds, seconds);
}
