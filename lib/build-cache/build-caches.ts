// build()'s side of the cache transfer: the `--cache-from` caches opened before the plan runs and
// the `--cache-to` exports made once the image is stored, while the build's lease still protects
// every blob. A failed export fails the build (naming where it went), unless it asked for
// ignore-error; then it is a warning.
import type { ContentStore } from '../../cache/content-store.js';
import { KeyIndex } from '../../cache/key-index.js';
import type { Lease } from '../../cache/lease.js';
import type { RootLayout } from '../../cache/root.js';
import type { UsedStep } from '../../executor/imported-cache.js';
import type { BuildPlan } from '../../parser/plan.js';
import { TsbuildError } from '../errors.js';
import type { Registry } from '../registry/client.js';
import { RegistryError } from '../registry/errors.js';
import type { ImageStore } from '../store/image-store.js';
import { exportCache, exportedStages, type CacheExportResult } from './cache-export.js';
import { ImportedCaches } from './cache-import.js';
import { describeLocation, type CacheExportSpec, type CacheImportSpec } from './cache-spec.js';

export interface CacheTransferOptions {
  readonly cacheFrom?: readonly CacheImportSpec[];
  readonly cacheTo?: readonly CacheExportSpec[];
  readonly signal?: AbortSignal;
  readonly onWarning?: (message: string) => void;
  readonly onStatus?: (line: string) => void;
}

export async function openImportedCaches(layout: RootLayout, content: ContentStore, lease: Lease, registry: Registry, options: CacheTransferOptions): Promise<ImportedCaches | undefined> {
  if (!options.cacheFrom?.length) return undefined;
  const index = new KeyIndex(layout, options.onWarning ? { onWarning: options.onWarning } : {});
  return ImportedCaches.load(options.cacheFrom, {
    content, index, lease, registry,
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
}

export async function exportBuildCaches(store: ImageStore, plan: BuildPlan, used: readonly UsedStep[], deps: { registry: Registry; imported?: ImportedCaches }, options: CacheTransferOptions): Promise<CacheExportResult[]> {
  const results: CacheExportResult[] = [];
  for (const spec of options.cacheTo ?? []) {
    const where = describeLocation(spec);
    options.onStatus?.(`exporting cache to ${where} (mode=${spec.mode})`);
    try {
      results.push(await exportCache(spec, used, exportedStages(plan, spec.mode), { store, ...deps, ...(options.signal ? { signal: options.signal } : {}) }));
    } catch (error) {
      const message = `cannot export the build cache to ${where}: ${(error as Error).message}`;
      if (spec.ignoreError) {
        options.onWarning?.(message);
        continue;
      }
      if (error instanceof RegistryError) throw new RegistryError(error.failure, message, error.status, { cause: error });
      throw new TsbuildError(error instanceof TsbuildError ? error.code : 'E_STORE', message, { cause: error });
    }
  }
  return results;
}
