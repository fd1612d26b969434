// A container's filesystem: the image's layer snapshots (shared with builds, read-only) under the
// container's own upper folder, mounted at <container>/mnt/merged while something needs it. Where
// overlayfs is unavailable the lowers are copied once into mnt/merged, which then *is* the
// container's filesystem and stays until the container is removed.
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '../../cache/content-store.js';
import type { LayerRef } from '../../cache/key-index.js';
import { Lease } from '../../cache/lease.js';
import type { RootLayout } from '../../cache/root.js';
import { prepareRootfs } from '../../executor/snapshot/index.js';
import { SnapshotStore } from '../../executor/snapshot-store.js';
import type { ContainerStore } from './container-store.js';

export type RootfsLayout = Pick<RootLayout, 'snapshots' | 'tmp' | 'locks' | 'leases'>;

export interface MountedContainer {
  readonly rootfs: string;
  readonly kind: 'overlay' | 'copy';
  /** Unmounts (overlay) and lets the image's layers go; the upper (or the copy) stays. */
  release(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/**
 * Mounts the container `id`'s filesystem over `layers`. A lease names the layers and chain
 * snapshots while it is mounted, so a prune that starts meanwhile keeps them.
 */
export async function mountContainer(layout: RootfsLayout, content: ContentStore, containers: ContainerStore, id: string, layers: readonly LayerRef[]): Promise<MountedContainer> {
  const { upper, mnt } = containers.paths(id);
  const copied = join(mnt, 'merged');
  if ((await exists(join(mnt, 'base'))) && (await exists(copied))) {
    return { rootfs: copied, kind: 'copy', release: async () => undefined };
  }
  const lease = await Lease.create(layout);
  try {
    const snapshots = new SnapshotStore(layout, content, { lease });
    const lowers = await snapshots.ensure(layers);
    await mkdir(upper, { recursive: true, mode: 0o755 });
    const prepared = await prepareRootfs({ lowers, upper, scratch: mnt, mode: 'auto' });
    let released = false;
    return {
      rootfs: prepared.merged,
      kind: prepared.kind,
      async release() {
        if (released) return;
        released = true;
        try {
          if (prepared.kind === 'overlay') await prepared.cleanup();
        } finally {
          await lease.release();
        }
      },
    };
  } catch (error) {
    await lease.release();
    throw error;
  }
}
