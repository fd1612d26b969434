// `docker import`: a root filesystem tar (plain or gzip) becomes a one-layer image. The layer is
// stored uncompressed, exactly as given (its DiffID is the sha256 of the uncompressed input, as
// Docker computes it), after checking that it reads as a tar to the end. History and comment
// are docker import's: one entry, no created_by, "Imported from -" unless a message is given.
// No wall-clock time is written unless asked (`created`), so importing the same tar twice gives
// the same image.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { Lease } from '../../cache/lease.js';
import type { Platform } from '../../executor/image-config.js';
import { TsbuildError, UsageError } from '../errors.js';
import { imageConfig } from '../image/config.js';
import { rfc3339 } from '../image/timestamps.js';
import { hostPlatform } from '../platform.js';
import { applyChanges } from './import-changes.js';
import type { ImageStore, StoredImage } from './image-store.js';
import { decompressedLayer } from '../image/layer-input.js';
import { DEFAULT_LAYER_BUDGETS } from '../../executor/snapshot/index.js';
import { withEntryBudget } from '../../executor/snapshot/tar-entry-count.js';

/** The uncompressed size an imported rootfs may reach: a gzip bomb stops here instead of filling the disk. */
const IMPORT_MAX_BYTES = 64 * 1024 ** 3;

export interface ImportOptions {
  /** Tag for the new image (any form Docker accepts); none leaves it untagged. */
  readonly name?: string;
  /** `--change` instructions: CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR. */
  readonly changes?: readonly string[];
  /** `-m`: the history comment (default `Imported from -`). */
  readonly message?: string;
  /** The image's creation time (e.g. SOURCE_DATE_EPOCH); none by default. */
  readonly created?: Date;
  readonly platform?: Platform;
  readonly signal?: AbortSignal;
}

/** Imports a rootfs tar from a stream or a file path. */
export async function importRootfs(store: ImageStore, source: Readable | string, options: ImportOptions = {}): Promise<StoredImage> {
  // Parse the changes first: a typo should not cost a copy of the whole tar.
  const config = applyChanges({}, options.changes ?? []);
  const input = typeof source === 'string' ? createReadStream(source) : source;
  const archiveBytes = typeof source === 'string' ? (await stat(source).catch(() => undefined))?.size : undefined;
  const lease = await Lease.create(store.layout, options.signal ? { signal: options.signal } : {});
  try {
    const label = `the import source ${typeof source === 'string' ? JSON.stringify(source) : '(stdin)'}`;
    // The budgets of base-layer unpacking, checked while streaming so a bomb is never stored.
    const bytes = decompressedLayer(input, IMPORT_MAX_BYTES, { label, ...(archiveBytes !== undefined ? { archiveBytes } : {}) });
    const blob = await store.content.ingest(withEntryBudget(bytes, DEFAULT_LAYER_BUDGETS.maxEntries, label), { lease, ...(options.signal ? { signal: options.signal } : {}) });
    await checkTar(store, blob.digest);
    const comment = options.message || 'Imported from -';
    const created = options.created === undefined ? undefined : rfc3339(options.created);
    const image = imageConfig({
      config,
      diffIds: [blob.digest],
      history: [{ ...(created !== undefined ? { created } : {}), created_by: '', comment }],
      platform: options.platform ?? hostPlatform(),
      ...(created !== undefined ? { created } : {}),
      comment,
    });
    const layer = { digest: blob.digest, diffId: blob.digest, size: blob.size };
    return await store.commitImage(image, [layer], { lease, ...(options.name !== undefined ? { tags: [options.name] } : {}) });
  } finally {
    await lease.release();
  }
}

/** Reads the stored layer as a tar to its end; a file that is not a tar is refused. */
async function checkTar(store: ImageStore, digest: string): Promise<void> {
  await store.content.withVerifiedStream(digest, async (stream) => {
    // allowUnknownFormat: old v7 tars (no ustar magic) are valid rootfs archives; checksums are still checked.
    const extract = tarStream.extract({ allowUnknownFormat: true } as Parameters<typeof tarStream.extract>[0]);
    const reading = pipeline(stream, extract);
    reading.catch(() => undefined); // reported through the loop below, or awaited after it
    try {
      for await (const entry of extract) entry.resume();
      await reading;
    } catch (error) {
      if (error instanceof TsbuildError) throw error;
      throw new UsageError(`the import source is not a tar archive: ${(error as Error).message}`, { cause: error });
    }
  });
}
