// Read-only views of a filesystem tree for lookups by path components. Two implementations:
// - DirView: one real folder (a copied base tree, a mounted overlay).
// - LayeredView: a stack of unpacked snapshots in overlay format, read the way overlayfs merges
//   them, without mounting anything. A name is decided by the topmost layer that has it; a 0/0
//   character device there is a whiteout; a folder merges with the same folder in the layers below
//   until one of them has a whiteout or a non-folder at that name.
// Opaque-directory xattrs are deliberately not consulted: our snapshots never carry them (the layer
// reader turns opaque markers into explicit whiteouts), and Node cannot read xattrs anyway.
//
// Lookups only ever descend through components that are real folders in the layer being read, so a
// symlink inside a tree is never followed on the host (a base `a -> /etc` must not make `a/passwd`
// mean the host's /etc/passwd).
import type { BigIntStats } from 'node:fs';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface TreeView {
  /** lstat of the entry at `components` ([] is the root), or null when the view has no such entry. */
  lstat(components: readonly string[]): Promise<BigIntStats | null>;
  /** Names in the folder at `components`, or null when that is not a folder in the view. */
  children(components: readonly string[]): Promise<string[] | null>;
  /** The host path holding the entry's data (for content comparison), or null. */
  hostPath(components: readonly string[]): Promise<string | null>;
}

/** A 0/0 character device: how overlayfs marks a deleted name. */
export function isWhiteoutDevice(info: BigIntStats): boolean {
  return info.isCharacterDevice() && info.rdev === 0n;
}

export function lstatBig(path: string): BigIntStats | null {
  try {
    return lstatSync(path, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function key(components: readonly string[]): string {
  return components.join('/');
}

/** One real folder. Every ancestor of a looked-up path must be a real folder in it. */
export class DirView implements TreeView {
  private readonly dirs = new Map<string, boolean>();

  constructor(readonly root: string) {}

  async lstat(components: readonly string[]): Promise<BigIntStats | null> {
    if (!(await this.isRealDir(components.slice(0, -1)))) return null;
    return lstatBig(join(this.root, ...components));
  }

  async children(components: readonly string[]): Promise<string[] | null> {
    if (!(await this.isRealDir(components))) return null;
    return readdirSync(join(this.root, ...components));
  }

  async hostPath(components: readonly string[]): Promise<string | null> {
    return (await this.lstat(components)) === null ? null : join(this.root, ...components);
  }

  private async isRealDir(components: readonly string[]): Promise<boolean> {
    if (components.length === 0) return true;
    const cached = this.dirs.get(key(components));
    if (cached !== undefined) return cached;
    const parentOk = await this.isRealDir(components.slice(0, -1));
    const info = parentOk ? lstatBig(join(this.root, ...components)) : null;
    const isDir = info !== null && info.isDirectory();
    this.dirs.set(key(components), isDir);
    return isDir;
  }
}

/** Snapshots in overlay format, topmost first, merged as overlayfs would. */
export class LayeredView implements TreeView {
  private readonly dirLayers = new Map<string, readonly number[]>();

  constructor(readonly layers: readonly string[]) {}

  async lstat(components: readonly string[]): Promise<BigIntStats | null> {
    const found = await this.find(components);
    return found?.info ?? null;
  }

  async hostPath(components: readonly string[]): Promise<string | null> {
    const found = await this.find(components);
    return found ? join(this.layers[found.layer]!, ...components) : null;
  }

  async children(components: readonly string[]): Promise<string[] | null> {
    const layers = await this.layersOfDir(components);
    if (layers.length === 0) return components.length === 0 ? [] : null;
    const decided = new Map<string, boolean>(); // name -> visible
    for (const layer of layers) {
      const folder = join(this.layers[layer]!, ...components);
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        if (decided.has(entry.name)) continue;
        const hidden = entry.isCharacterDevice() && isWhiteoutDevice(lstatBig(join(folder, entry.name))!);
        decided.set(entry.name, !hidden);
      }
    }
    return [...decided].filter(([, visible]) => visible).map(([name]) => name);
  }

  private async find(components: readonly string[]): Promise<{ info: BigIntStats; layer: number } | null> {
    if (components.length === 0) {
      const layers = await this.layersOfDir([]);
      const top = layers[0];
      return top === undefined ? null : { info: lstatBig(this.layers[top]!)!, layer: top };
    }
    for (const layer of await this.layersOfDir(components.slice(0, -1))) {
      const info = lstatBig(join(this.layers[layer]!, ...components));
      if (info === null) continue;
      return isWhiteoutDevice(info) ? null : { info, layer };
    }
    return null;
  }

  /** The layers whose folder at `components` takes part in the merged folder, topmost first. */
  private async layersOfDir(components: readonly string[]): Promise<readonly number[]> {
    const cached = this.dirLayers.get(key(components));
    if (cached) return cached;
    const result: number[] = [];
    if (components.length === 0) {
      this.layers.forEach((_, i) => result.push(i));
    } else {
      for (const layer of await this.layersOfDir(components.slice(0, -1))) {
        const info = lstatBig(join(this.layers[layer]!, ...components));
        if (info === null) continue;
        if (!info.isDirectory()) break; // a whiteout or a non-folder ends the merge here
        result.push(layer);
      }
    }
    this.dirLayers.set(key(components), result);
    return result;
  }
}
