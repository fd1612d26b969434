// `--cache-to`: the build's step records and their layers written where another machine can
// import them (format.ts, docs/build-cache.md). mode=min keeps the steps whose layers make the
// final image (the target stage and the stages it is built FROM); mode=max every stage's steps.
// Layers that came from an imported cache are fetched first, so an export is always complete.
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempFileName } from '../../cache/atomic-file.js';
import type { LayerRef } from '../../cache/key-index.js';
import type { UsedStep } from '../../executor/imported-cache.js';
import type { BuildPlan, PlannedStage } from '../../parser/plan.js';
import { ociManifest, serializeManifest, type Descriptor } from '../image/manifest.js';
import { MediaTypes } from '../image/media-types.js';
import type { Registry } from '../registry/client.js';
import { mapLimit } from '../registry/limit.js';
import { compressLayer } from '../registry/push.js';
import type { ImageStore } from '../store/image-store.js';
import type { ImportedCaches } from './cache-import.js';
import { cacheWriter, type CacheWriter } from './cache-locations.js';
import type { CacheExportSpec } from './cache-spec.js';
import { SCHEMA } from '../../cache/cache-key.js';
import { CACHE_CONFIG_TYPE, serializeDescription, type CacheDescription, type CacheRecordEntry } from './format.js';

export interface CacheExportDeps {
  readonly store: ImageStore;
  readonly registry: Registry;
  readonly imported?: ImportedCaches;
  readonly signal?: AbortSignal;
}

export interface CacheExportResult {
  readonly records: number;
  readonly layers: number;
  /** Layer blobs the destination did not have yet. */
  readonly uploaded: number;
}

/** The stages whose steps a mode exports: max all of them, min the target and its FROM-stage chain. */
export function exportedStages(plan: BuildPlan, mode: 'min' | 'max'): Set<number> {
  if (mode === 'max') return new Set(plan.stages.map((planned) => planned.stage.index));
  const byIndex = new Map(plan.stages.map((planned) => [planned.stage.index, planned]));
  const stages = new Set<number>();
  for (let index: number | undefined = plan.target; index !== undefined && !stages.has(index);) {
    stages.add(index);
    const base: PlannedStage['base'] | undefined = byIndex.get(index)?.base;
    index = base?.kind === 'stage' ? base.index : undefined;
  }
  return stages;
}

export async function exportCache(spec: CacheExportSpec, steps: readonly UsedStep[], stages: ReadonlySet<number>, deps: CacheExportDeps): Promise<CacheExportResult> {
  const { records, layers } = selectRecords(steps, stages);
  const writer = cacheWriter(spec, deps.registry);
  let uploaded = 0;
  const blobs = await mapLimit(layers, 3, async (layer) => {
    // A layer still remote (an imported hit nobody needed) that the destination holds already,
    // typically when --cache-from and --cache-to name the same ref, is not fetched to be re-sent.
    const remote = await deps.imported?.remoteBlob(layer);
    if (remote !== undefined && (await writer.hasBlob(remote))) return remote;
    await deps.imported?.materialize([layer], deps.signal);
    const sent = await sendLayer(deps.store, writer, layer);
    if (sent.uploaded) uploaded++;
    return sent.descriptor;
  });
  const description: CacheDescription = { mediaType: CACHE_CONFIG_TYPE, keySchema: SCHEMA, layers: layers.map((layer) => ({ diffId: layer.diffId, size: layer.size })), records };
  const config = await sendBytes(deps.store, writer, serializeDescription(description), CACHE_CONFIG_TYPE);
  await writer.putManifest(serializeManifest(ociManifest(config, blobs)));
  return { records: records.length, layers: layers.length, uploaded };
}

/** One record per key and one entry per layer, in the order the steps finished. */
function selectRecords(steps: readonly UsedStep[], stages: ReadonlySet<number>): { records: CacheRecordEntry[]; layers: LayerRef[] } {
  const records: CacheRecordEntry[] = [];
  const layers: LayerRef[] = [];
  const layerIndex = new Map<string, number>();
  const keys = new Set<string>();
  for (const step of steps) {
    if (!stages.has(step.stage) || keys.has(step.key)) continue;
    keys.add(step.key);
    let index: number | null = null;
    if (step.layer !== null) {
      index = layerIndex.get(step.layer.digest) ?? layers.length;
      if (index === layers.length) {
        layerIndex.set(step.layer.digest, index);
        layers.push(step.layer);
      }
    }
    records.push({ key: step.key, layer: index, configChange: step.configChange });
  }
  return { records, layers };
}

async function sendLayer(store: ImageStore, writer: CacheWriter, layer: LayerRef): Promise<{ descriptor: Descriptor; uploaded: boolean }> {
  const file = join(store.layout.tmp, `cache-export-${tempFileName()}`);
  try {
    const { digest, size } = await compressLayer(store, layer, file);
    const descriptor: Descriptor = { mediaType: MediaTypes.ociLayerGzip, digest, size };
    if (await writer.hasBlob(descriptor)) return { descriptor, uploaded: false };
    await writer.putBlob(descriptor, file);
    return { descriptor, uploaded: true };
  } finally {
    await rm(file, { force: true });
  }
}

async function sendBytes(store: ImageStore, writer: CacheWriter, bytes: Buffer, mediaType: string): Promise<Descriptor> {
  const descriptor: Descriptor = { mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };
  if (await writer.hasBlob(descriptor)) return descriptor;
  const file = join(store.layout.tmp, `cache-export-${tempFileName()}`);
  try {
    await writeFile(file, bytes, { mode: 0o600 });
    await writer.putBlob(descriptor, file);
  } finally {
    await rm(file, { force: true });
  }
  return descriptor;
}
