// The image configuration blob (OCI image config with Docker's extensions), built from what the
// executor produces (ContainerConfig, history, platform) and the layers' DiffIDs, and written as
// the exact bytes BuildKit writes: top-level keys sorted (BuildKit's exporter passes the config
// through a Go map), `config` and `history` entries in Go struct field order with omitempty, and
// Go maps (ExposedPorts, Volumes, Labels) sorted by key.
import type { ContainerConfig, HealthConfig, HistoryEntry, Platform } from '../../executor/image-config.js';
import { goJson, goMap, type GoValue } from './go-json.js';

export interface RootFs {
  readonly type: 'layers';
  readonly diff_ids: readonly string[];
}

/** The image config as tsbuild reads and writes it (fields it does not know are dropped). */
export interface ImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly created?: string;
  readonly author?: string;
  /** Docker's top-level comment (`docker import -m`); BuildKit does not write one. */
  readonly comment?: string;
  readonly config: ContainerConfig;
  readonly rootfs: RootFs;
  readonly history?: readonly HistoryEntry[];
}

export interface ImageConfigInput {
  readonly config: ContainerConfig;
  readonly diffIds: readonly string[];
  readonly history: readonly HistoryEntry[];
  readonly platform: Platform;
  /** RFC 3339; left out when undefined (reproducible by default). */
  readonly created?: string;
  readonly author?: string;
  readonly comment?: string;
}

export function imageConfig(input: ImageConfigInput): ImageConfig {
  return {
    architecture: input.platform.architecture,
    os: input.platform.os,
    ...(input.platform.variant ? { variant: input.platform.variant } : {}),
    ...(input.created !== undefined ? { created: input.created } : {}),
    ...(input.author ? { author: input.author } : {}),
    ...(input.comment ? { comment: input.comment } : {}),
    config: input.config,
    rootfs: { type: 'layers', diff_ids: [...input.diffIds] },
    history: input.history,
  };
}

/** The config blob's bytes; the same config always gives the same bytes (and digest). */
export function serializeImageConfig(image: ImageConfig): Buffer {
  const value: Record<string, GoValue | undefined> = {
    architecture: image.architecture,
    author: image.author || undefined,
    comment: image.comment || undefined,
    config: containerConfigJson(image.config),
    created: image.created,
    history: image.history === undefined ? undefined : image.history.map(historyJson),
    os: image.os,
    rootfs: { type: image.rootfs.type, diff_ids: [...image.rootfs.diff_ids] },
    variant: image.variant || undefined,
  };
  return Buffer.from(goJson(value), 'utf8');
}

/** Docker's container config in its Go field order, empty fields left out. */
export function containerConfigJson(config: ContainerConfig): GoValue {
  const list = (value: readonly string[] | undefined): GoValue | undefined => (value === undefined || value.length === 0 ? undefined : [...value]);
  const set = (value: Readonly<Record<string, object>> | undefined): GoValue | undefined =>
    value === undefined || Object.keys(value).length === 0 ? undefined : goMap(Object.fromEntries(Object.keys(value).map((key) => [key, new Map<string, GoValue>()])));
  return {
    User: config.User || undefined,
    ExposedPorts: set(config.ExposedPorts),
    Env: list(config.Env),
    Entrypoint: list(config.Entrypoint),
    Cmd: list(config.Cmd),
    Volumes: set(config.Volumes),
    WorkingDir: config.WorkingDir || undefined,
    Labels: config.Labels === undefined || Object.keys(config.Labels).length === 0 ? undefined : goMap(config.Labels),
    StopSignal: config.StopSignal || undefined,
    ArgsEscaped: config.ArgsEscaped || undefined,
    Healthcheck: config.Healthcheck === undefined ? undefined : healthJson(config.Healthcheck),
    OnBuild: list(config.OnBuild),
    Shell: list(config.Shell),
  };
}

function healthJson(health: HealthConfig): GoValue {
  return {
    Test: health.Test.length === 0 ? undefined : [...health.Test],
    Interval: health.Interval || undefined,
    Timeout: health.Timeout || undefined,
    StartPeriod: health.StartPeriod || undefined,
    StartInterval: health.StartInterval || undefined,
    Retries: health.Retries || undefined,
  };
}

function historyJson(entry: HistoryEntry): GoValue {
  return {
    created: entry.created,
    created_by: entry.created_by || undefined,
    comment: entry.comment || undefined,
    empty_layer: entry.empty_layer || undefined,
  };
}

/**
 * Reads a config blob, keeping what tsbuild understands. Throws E_STORE-worthy TypeErrors for
 * a blob that is not an image config at all.
 */
export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<ImageConfig> & { rootfs?: Partial<RootFs> };
  if (typeof value !== 'object' || value === null) throw new TypeError('the image config is not a JSON object');
  const diffIds = value.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((id) => typeof id === 'string')) throw new TypeError('the image config has no rootfs.diff_ids');
  return {
    architecture: String(value.architecture ?? ''),
    os: String(value.os ?? ''),
    ...(typeof value.variant === 'string' ? { variant: value.variant } : {}),
    ...(typeof value.created === 'string' ? { created: value.created } : {}),
    ...(typeof value.author === 'string' ? { author: value.author } : {}),
    ...(typeof value.comment === 'string' ? { comment: value.comment } : {}),
    config: withoutNulls(value.config) as ContainerConfig,
    rootfs: { type: 'layers', diff_ids: diffIds },
    ...(Array.isArray(value.history) ? { history: value.history } : {}),
  };
}

/** Go writes unset slices and maps as `null` (Docker's own configs: `"Env":null`); they mean absent. */
function withoutNulls(config: unknown): Record<string, unknown> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return {};
  return Object.fromEntries(Object.entries(config).filter(([, field]) => field !== null));
}
