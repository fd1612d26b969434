// Mounts left below a dead build's temp folder. A build killed with SIGKILL cannot unmount its
// overlays (and the binds of its RUN mounts) when it ran in the host's mount namespace; removing
// such a folder with `rm -r` would fail with EBUSY at best and, at worst, delete through a bind
// mount into a cache mount or the build context. So the cleanup first detaches every mount below
// the folder (deepest first) and leaves the folder alone if any mount stays.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** umount is looked up in the host's system folders only, never through PATH (SECURITY lesson 4). */
const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Mount points at or below `path` in this process's mount namespace, deepest first. */
export async function mountsBelow(path: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map(decodeMountPath)
    .filter((point) => point === path || point.startsWith(path + sep));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`). */
function decodeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Lazily detaches every mount at or below `path`; true when none is left afterwards. Without
 * an umount tool, or without the right to unmount, it says false and the caller keeps the folder.
 */
export async function detachMountsBelow(path: string): Promise<boolean> {
  const points = await mountsBelow(path);
  if (points.length === 0) return true;
  const umount = SYSTEM_DIRS.map((dir) => join(dir, 'umount')).find((candidate) => existsSync(candidate));
  if (umount === undefined) return false;
  for (const point of points) await runUmount(umount, point);
  return (await mountsBelow(path)).length === 0;
}

function runUmount(binary: string, target: string): Promise<void> {
  // A failure is judged by the mount table afterwards, not by the exit status.
  return new Promise((resolve) => execFile(binary, ['-l', target], () => resolve()));
}
