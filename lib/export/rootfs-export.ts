// The final filesystem of an image, for `-o type=local,dest=DIR` and `-o type=tar`. Layers are
// applied in order with the in-root layer reader (executor/snapshot): names cleaned, `..` refused,
// every write resolved inside the destination, symlink targets stored verbatim, whiteouts
// deleting in place, device nodes skipped (SECURITY lessons 1-3, B1-B7). The tar form unpacks
// into a private temp folder first and writes it with the layer writer, so entries are sorted and
// mtimes can be clamped to SOURCE_DATE_EPOCH.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tempFileName } from '../../cache/atomic-file.js';
import { applyLayer, diffTrees, layerTarStream } from '../../executor/snapshot/index.js';
import type { ImageStore, StoredImage } from '../store/image-store.js';

export interface RootfsExportOptions {
  readonly onWarning?: (message: string) => void;
  readonly signal?: AbortSignal;
  /** Clamp mtimes in the tar to this (seconds since 1970). */
  readonly sourceDateEpoch?: number;
}

/** Writes the image's filesystem into `dest` (created if needed; existing entries are replaced). */
export async function writeRootfsDir(store: ImageStore, image: StoredImage, dest: string, options: RootfsExportOptions = {}): Promise<void> {
  await mkdir(dest, { recursive: true });
  for (const layer of image.layers) {
    await applyLayer(await store.openLayer(layer.digest, layer.size), dest, {
      whiteouts: 'remove',
      devices: 'skip',
      label: `layer ${layer.digest}`,
      archiveBytes: layer.size,
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
}

/** Writes the image's filesystem as one tar into `sink`. */
export async function writeRootfsTar(store: ImageStore, image: StoredImage, sink: Writable, options: RootfsExportOptions = {}): Promise<void> {
  const work = await mkdtemp(join(store.layout.tmp, `${tempFileName()}-rootfs-`));
  try {
    const tree = join(work, 'tree');
    const empty = join(work, 'empty');
    await mkdir(empty);
    await writeRootfsDir(store, image, tree, options);
    const changes = await diffTrees(empty, tree);
    const layerOptions = options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch };
    await pipeline(layerTarStream(changes, layerOptions), sink);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
