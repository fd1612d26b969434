// The copy fallback for hosts where overlayfs cannot be mounted: the lower snapshots (overlay
// format, topmost first) are flattened into one real tree by applying them bottom-up, which gives
// exactly the view an overlay mount would (whiteout devices delete, folders merge, anything else
// replaces). Hard links inside a layer stay hard links. Slower than a mount, same result.
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runHostCommand } from './host-command.js';
import { deviceNumbers, type EntryAttrs, lstatOrNull, makeDeviceNode, removeEntry, setEntryAttrs } from './in-root.js';
import { isWhiteoutDevice, lstatBig } from './lower-view.js';
import { walkTree, type WalkEntry } from './tree-walk.js';

/** Makes `dest` (an existing, empty folder) hold the merged view of `lowers` (topmost first). */
export async function flattenSnapshots(lowers: readonly string[], dest: string): Promise<void> {
  for (const layer of [...lowers].reverse()) await applySnapshotLayer(layer, dest);
}

/** Copies a tree with everything it holds (owners, modes, times, links) using the host's cp. */
export async function copyTree(source: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  await runHostCommand('cp', ['-a', '--reflink=auto', '--', `${source}/.`, `${dest}/`]);
}

async function applySnapshotLayer(layer: string, dest: string): Promise<void> {
  const firstPathOfInode = new Map<string, string>();
  const folderTimes: [string, EntryAttrs][] = [];
  for await (const entry of walkTree(layer)) {
    const target = join(dest, ...entry.components);
    if (isWhiteoutDevice(entry.info)) {
      await removeEntry(target);
      continue;
    }
    if (entry.info.isSocket()) continue;
    const attrs = attrsOf(entry);
    if (entry.info.isDirectory()) {
      const existing = lstatOrNull(target);
      if (existing === null || !existing.isDirectory()) {
        await removeEntry(target);
        await mkdir(target, 0o700);
      }
      await setEntryAttrs(target, { mode: attrs.mode, uid: attrs.uid, gid: attrs.gid }, true);
      folderTimes.push([target, attrs]);
      continue;
    }
    await removeEntry(target);
    await copyEntry(entry, target, attrs, firstPathOfInode);
  }
  const root = lstatBig(layer);
  await setEntryAttrs(dest, attrsOf({ components: [], host: layer, info: root! }), true);
  // Folder times last: creating entries inside a folder changes its mtime.
  for (const [target, attrs] of folderTimes) await setEntryAttrs(target, attrs, true);
}

async function copyEntry(entry: WalkEntry, target: string, attrs: EntryAttrs, firstPathOfInode: Map<string, string>): Promise<void> {
  const info = entry.info;
  const inode = `${info.dev}:${info.ino}`;
  const first = info.nlink > 1n ? firstPathOfInode.get(inode) : undefined;
  if (first !== undefined) {
    await link(first, target);
    return;
  }
  if (info.isFile()) {
    await copyFile(entry.host, target, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  } else if (info.isSymbolicLink()) {
    await symlink(await readlink(entry.host), target);
  } else {
    const kind = info.isFIFO() ? 'fifo' : info.isBlockDevice() ? 'block' : 'char';
    const { major, minor } = deviceNumbers(info.rdev);
    await makeDeviceNode(target, kind, major, minor);
  }
  await setEntryAttrs(target, attrs, true);
  if (info.nlink > 1n) firstPathOfInode.set(inode, target);
}

function attrsOf(entry: WalkEntry): EntryAttrs {
  const info = entry.info;
  return { mode: Number(info.mode) & 0o7777, uid: Number(info.uid), gid: Number(info.gid), mtime: new Date(Number(info.mtimeNs / 1_000_000n)) };
}
