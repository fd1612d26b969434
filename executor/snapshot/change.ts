// The differ's output and the rules both differs share. Keeping the comparison in one place is
// what makes the overlay differ and the copy fallback produce the same change list, and so the
// same layer bytes, for the same filesystem change.
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { readdirSync } from 'node:fs';
import { open, readlink } from 'node:fs/promises';

/**
 * - add / modify: write the entry.
 * - delete: write a whiteout.
 * - unmodified: an unchanged file with more than one link; written only if a changed path shares
 *   its inode, so the link survives (containerd's ChangeKindUnmodified).
 */
export type ChangeKind = 'add' | 'modify' | 'delete' | 'unmodified';

export interface Change {
  readonly kind: ChangeKind;
  /** Root-relative, `/`-separated, no leading slash. */
  readonly path: string;
  /** lstat of the entry as it is now; absent for deletions. */
  readonly stat?: BigIntStats;
  /** Where to read the entry now (content, link target); absent for deletions. */
  readonly host?: string;
}

/** Byte order of UTF-8 names, as Go sorts directory entries (not UTF-16 order). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Depth-first walk order: component by component, so `a/x` comes before `a.txt`. */
export function comparePaths(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compareNames(left[i]!, right[i]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

export function sortedChildren(folder: string): string[] {
  return readdirSync(folder).sort(compareNames);
}

export interface StatAt {
  readonly info: BigIntStats;
  readonly host: string;
}

const NS_PER_SECOND = 1_000_000_000n;

/**
 * Whether an entry is unchanged: type and mode, owner and device number must match; folders also
 * need the same mtime (to the nanosecond: copy-up and cp -a keep it); other entries also need
 * equal size and mtime seconds. When both mtimes have zero nanoseconds
 * (typical of files unpacked from a tar, where the fraction was lost) a same-second rewrite could
 * hide, so symlink targets or contents are compared; otherwise the nanoseconds decide. Contents
 * are compared byte by byte rather than hashed: it stops at the first difference.
 * (security.capability is not compared: Node cannot read xattrs.)
 */
export async function sameEntry(before: StatAt, after: StatAt): Promise<boolean> {
  const a = before.info;
  const b = after.info;
  if (a.dev === b.dev && a.ino === b.ino) return true;
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return false;
  // A folder whose entries came and went (a mount stub, a temp file) has a new mtime. BuildKit's
  // overlay2 diff writes every folder of the upper, and such a folder is there: so do we.
  if (a.isDirectory()) return a.mtimeNs === b.mtimeNs;
  if (a.size !== b.size || a.mtimeNs / NS_PER_SECOND !== b.mtimeNs / NS_PER_SECOND) return false;
  const aNanos = a.mtimeNs % NS_PER_SECOND;
  const bNanos = b.mtimeNs % NS_PER_SECOND;
  if (aNanos !== 0n || bNanos !== 0n) return aNanos === bNanos;
  if (a.isSymbolicLink()) return (await readlink(before.host)) === (await readlink(after.host));
  if (!a.isFile() || a.size === 0n) return true;
  return sameContent(before.host, after.host);
}

async function sameContent(left: string, right: string): Promise<boolean> {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW;
  const [a, b] = await Promise.all([open(left, flags), open(right, flags)]);
  try {
    const bufferA = Buffer.alloc(64 * 1024);
    const bufferB = Buffer.alloc(64 * 1024);
    for (;;) {
      const [readA, readB] = await Promise.all([a.read(bufferA, 0, bufferA.length, null), b.read(bufferB, 0, bufferB.length, null)]);
      if (readA.bytesRead !== readB.bytesRead) return false;
      if (readA.bytesRead === 0) return true;
      if (!bufferA.subarray(0, readA.bytesRead).equals(bufferB.subarray(0, readB.bytesRead))) return false;
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** A hard-linked non-folder: the writer needs to see it even when unchanged. */
export function isMultiplyLinked(info: BigIntStats): boolean {
  return !info.isDirectory() && info.nlink > 1n;
}
