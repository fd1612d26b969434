// The target stage's final state as an image in the store: config blob (with history stamped),
// manifest, image record and tags, written while the build's lease still protects the layers.
import type { Lease } from '../cache/lease.js';
import type { ContainerConfig } from '../executor/image-config.js';
import type { StageState } from '../executor/steps/types.js';
import { imageConfig } from './image/config.js';
import { rfc3339 } from './image/timestamps.js';
import type { ImageStore, StoredImage } from './store/image-store.js';

export interface CommitBuildOptions {
  readonly tags: readonly string[];
  readonly lease: Lease;
  /** The time new history entries and the config get; none by default (reproducible images). */
  readonly created?: Date;
  /** Set on the config over the stage's own labels, with no history entry (docker build --label). */
  readonly labels?: Readonly<Record<string, string>>;
}

export async function commitBuild(store: ImageStore, target: StageState, options: CommitBuildOptions): Promise<StoredImage> {
  const created = options.created === undefined ? undefined : rfc3339(options.created);
  // Entries from the base image keep their times; the build's own entries get this build's.
  const history = created === undefined ? target.history : target.history.map((entry) => (entry.created === undefined ? { ...entry, created } : entry));
  const config = imageConfig({
    config: withLabels(target.config, options.labels),
    diffIds: target.layers.map((layer) => layer.diffId),
    history,
    platform: target.platform,
    ...(created !== undefined ? { created } : {}),
    ...(target.author !== undefined ? { author: target.author } : {}),
  });
  return store.commitImage(config, target.layers, { tags: options.tags, lease: options.lease });
}

function withLabels(config: ContainerConfig, labels: Readonly<Record<string, string>> | undefined): ContainerConfig {
  if (labels === undefined || Object.keys(labels).length === 0) return config;
  return { ...config, Labels: { ...(config.Labels ?? {}), ...labels } };
}
