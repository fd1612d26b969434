// Mount points that do not exist in the image (`/proc`, `/etc/hosts` in a scratch image, a RUN
// --mount target) are created as empty stubs before the run and removed after it, so they never
// land in a layer. Removal is where BuildKit's CVE-2024-23652 lived: the step may have replaced a
// parent of the stub with a symlink to a host directory, and a naive rm would follow it. So cleanup
// re-walks every stub from its tree root with lstat, gives up at the first component that is not a
// real directory, and only removes an entry that is still an empty directory or an empty regular file.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { locate, type ResolvedPath, type ViewMount } from './in-root-path.js';

interface Stub {
  /** The host directory the stub's tree starts at: the rootfs or a bind mount's source. */
  readonly treeRoot: string;
  /** Components from `treeRoot` to the stub; re-walked with lstat at cleanup. */
  readonly relative: readonly string[];
  readonly kind: 'dir' | 'file';
}

/** What is left to create inside the namespace: components below a tmpfs mount (index into the path). */
export interface StubResult {
  readonly namespaceFrom?: number;
}

export class MountStubs {
  private readonly stubs: Stub[] = [];

  constructor(private readonly rootfs: string) {}

  /**
   * Creates the missing components of `resolved` on the host; the last one as `finalKind`. Stops at
   * the first component inside a tmpfs mount, which only exists in the namespace.
   */
  async ensure(resolved: ResolvedPath, finalKind: 'dir' | 'file', mounts: readonly ViewMount[]): Promise<StubResult> {
    const { components } = resolved;
    for (let i = resolved.existing; i < components.length; i++) {
      const upTo = components.slice(0, i + 1);
      const location = locate(this.rootfs, mounts, upTo);
      if ('tmpfs' in location) return { namespaceFrom: i };
      const kind = i === components.length - 1 ? finalKind : 'dir';
      await this.create(location.host, kind, treeOf(this.rootfs, mounts, upTo));
    }
    return {};
  }

  private async create(host: string, kind: 'dir' | 'file', tree: { root: string; relative: string[] }): Promise<void> {
    if (kind === 'dir') {
      await mkdir(host, 0o755);
    } else {
      // O_EXCL|O_NOFOLLOW: never write through something that appeared in the meantime.
      const handle = await open(host, constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_WRONLY, 0o644);
      await handle.close();
    }
    this.stubs.push({ treeRoot: tree.root, relative: tree.relative, kind });
  }

  /**
   * Removes the stubs, deepest first. Their parents keep the mtime this leaves (BuildKit 0.13 does
   * not restore it either, and its layer then holds such a parent, e.g. `etc/` after the /etc/hosts
   * stub of an image without one). Never throws: a stub that cannot be removed safely stays, and
   * is returned.
   */
  async cleanup(): Promise<string[]> {
    const kept: string[] = [];
    for (const stub of this.stubs.reverse()) {
      if (!(await removeStub(stub))) kept.push(join(stub.treeRoot, ...stub.relative));
    }
    this.stubs.length = 0;
    return kept;
  }
}

/** The tree (rootfs or bind source) a container path is created in, and the path below its root. */
function treeOf(rootfs: string, mounts: readonly ViewMount[], components: readonly string[]): { root: string; relative: string[] } {
  for (let i = mounts.length - 1; i >= 0; i--) {
    const mount = mounts[i]!;
    const covers = mount.target.length <= components.length && mount.target.every((part, j) => part === components[j]);
    if (covers && mount.source !== undefined) return { root: mount.source, relative: components.slice(mount.target.length) };
  }
  return { root: rootfs, relative: [...components] };
}

/** Walks `relative` below `root` without following anything; undefined when a parent is not a real dir. */
async function walkParents(root: string, relative: readonly string[]): Promise<string | undefined> {
  let path = root;
  for (const part of relative.slice(0, -1)) {
    path = join(path, part);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isDirectory()) return undefined; // a symlink (or anything else) now: do not touch
  }
  return path;
}

async function removeStub(stub: Stub): Promise<boolean> {
  try {
    const parent = await walkParents(stub.treeRoot, stub.relative);
    if (parent === undefined) return false;
    const path = join(parent, stub.relative.at(-1)!);
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined) return true; // the step removed it itself
    if (stub.kind === 'dir' && info.isDirectory() && (await readdir(path)).length === 0) await rmdir(path);
    else if (stub.kind === 'file' && info.isFile() && info.size === 0) await unlink(path);
    else return false;
    return true;
  } catch {
    return false;
  }
}
