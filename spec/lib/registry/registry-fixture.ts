// What the registry specs start from: a real registry, a temp folder, and a source root holding
// busybox:test to push; fresh roots to pull into come from the same folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootFolders, rootLayout } from '../../../cache/root.js';
import { ImageStore } from '../../../lib/store/image-store.js';
import { importBusybox } from '../../support/busybox-image.js';
import { startRegistry, type RegistryServer } from '../../support/registry-server.js';

export interface BusyboxRegistry {
  readonly registry: RegistryServer;
  readonly dir: string;
  /** The root busybox:test was imported into. */
  readonly source: ImageStore;
  stop(): Promise<void>;
}

export async function startBusyboxRegistry(prefix: string): Promise<BusyboxRegistry> {
  const registry = await startRegistry();
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await importBusybox(join(dir, 'source'));
  const source = await ImageStore.open(rootLayout(join(dir, 'source')));
  return {
    registry,
    dir,
    source,
    async stop() {
      await registry.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An empty store under `dir`, to pull into. */
export async function freshStore(dir: string, name: string): Promise<ImageStore> {
  const layout = rootLayout(join(dir, name));
  await createRootFolders(layout);
  return ImageStore.open(layout);
}
