// Rootless with subordinate ids: the sandbox maps container 0 to the build user and 1..N to the
// user's /etc/subuid range, so a step can run as any user and chown freely. The engine itself
// stays the build user on the host, and keeps every tree it works on owned by that user (so it
// can read, diff and delete it), with the real owners in the owner tables (snapshot/owner-table.ts).
// So around each run, in a user namespace with the same mapping:
// - before: the rootfs's recorded owners are applied (a USER 1000 step finds its home its own);
// - after: every entry not owned by 0:0 is recorded as the container sees it and given back to
//   the build user (0:0 there), and the entries applied before that are now root's are recorded so.
// Paths are checked in node first: every parent must be a real folder inside the rootfs (no run is
// going on, so nothing can swap one in between), and chown -h never follows the entry itself.
import { execFile } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Owner, ownersOf, recordOwnersOf } from '../snapshot/owner-table.js';
import { findHostTool } from './host-tools.js';

const MAP_ARGS = ['--user', '--map-root-user', '--map-users=auto', '--map-groups=auto', '--'];
/** Paths per chown call: well under the argv limit even for long paths. */
const BATCH = 500;

async function tool(name: string, pkg: string): Promise<string> {
  const path = await findHostTool(name);
  if (path === undefined) throw new Error(`rootless builds with subordinate ids need the host tool ${name} (Debian package ${pkg})`);
  return path;
}

/** In the mapped user namespace: `command args…`, output returned. */
async function mapped(unshare: string, command: string, args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(unshare, [...MAP_ARGS, command, ...args], { maxBuffer: 256 << 20, encoding: 'latin1' });
  return stdout;
}

/** Whether every parent of `path` is a real folder below `rootfs` (the entry itself may be anything). */
function parentsAreFolders(rootfs: string, path: string): boolean {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const info = lstatSync(join(rootfs, ...parts.slice(0, i)), { throwIfNoEntry: false });
    if (!info?.isDirectory()) return false;
  }
  return lstatSync(join(rootfs, path), { throwIfNoEntry: false }) !== undefined;
}

/** Applies the recorded owners of `rootfs`; returns the paths changed, for `returnOwners`. */
export async function applyOwners(rootfs: string): Promise<string[]> {
  const owners = await ownersOf(rootfs);
  if (owners.size === 0) return [];
  const unshare = await tool('unshare', 'util-linux');
  const chown = await tool('chown', 'coreutils');
  const byOwner = new Map<string, string[]>();
  for (const [path, owner] of owners) {
    if (!parentsAreFolders(rootfs, path)) continue;
    const key = `${owner.uid}:${owner.gid}`;
    byOwner.set(key, [...(byOwner.get(key) ?? []), path === '' ? rootfs : join(rootfs, path)]);
  }
  for (const [owner, paths] of byOwner) {
    for (let i = 0; i < paths.length; i += BATCH) await mapped(unshare, chown, ['-h', owner, '--', ...paths.slice(i, i + BATCH)]);
  }
  return [...owners.keys()];
}

/** Records every owner other than 0:0 in `rootfs` and gives those entries back to the build user. */
export async function returnOwners(rootfs: string, applied: readonly string[]): Promise<void> {
  const unshare = await tool('unshare', 'util-linux');
  const find = await tool('find', 'findutils');
  const chown = await tool('chown', 'coreutils');
  // find -P (the default) never follows symlinks; -xdev stays in the rootfs's filesystem.
  const args = [rootfs, '-xdev', '(', '!', '-uid', '0', '-o', '!', '-gid', '0', ')', '-printf', '%U %G %P\\0', '-exec', chown, '-h', '0:0', '--', '{}', '+'];
  const out = await mapped(unshare, find, args);
  const owners = new Map<string, Owner>();
  for (const record of out.split('\0')) {
    const match = /^(\d+) (\d+) (.*)$/s.exec(record);
    if (match) owners.set(Buffer.from(match[3]!, 'latin1').toString('utf8'), { uid: Number(match[1]), gid: Number(match[2]) });
  }
  recordOwnersOf(rootfs, applied, owners);
}
