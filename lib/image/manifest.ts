// OCI manifests and indexes, and the manifest.json of a docker-archive, as Go writes them
// (descriptor fields in the image-spec's struct order, compact text).
import type { Platform } from '../../executor/image-config.js';
import { assertDigest } from '../../cache/digest.js';
import { goJson, goMap, type GoValue } from './go-json.js';
import { layerCompression, MediaTypes } from './media-types.js';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
}

export interface Manifest {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export function ociManifest(config: Descriptor, layers: readonly Descriptor[], annotations?: Readonly<Record<string, string>>): Manifest {
  return { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers, ...(annotations ? { annotations } : {}) };
}

export function ociIndex(manifests: readonly Descriptor[], annotations?: Readonly<Record<string, string>>): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests, ...(annotations ? { annotations } : {}) };
}

export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from(goJson({
    schemaVersion: manifest.schemaVersion,
    mediaType: manifest.mediaType,
    config: descriptorJson(manifest.config),
    layers: manifest.layers.map(descriptorJson),
    annotations: annotationsJson(manifest.annotations),
  }), 'utf8');
}

export function serializeIndex(index: ImageIndex): Buffer {
  return Buffer.from(goJson({
    schemaVersion: index.schemaVersion,
    mediaType: index.mediaType,
    manifests: index.manifests.map(descriptorJson),
    annotations: annotationsJson(index.annotations),
  }), 'utf8');
}

export function descriptorJson(descriptor: Descriptor): GoValue {
  const platform = descriptor.platform;
  return {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    annotations: annotationsJson(descriptor.annotations),
    platform: platform === undefined ? undefined : { architecture: platform.architecture, os: platform.os, variant: platform.variant || undefined },
  };
}

function annotationsJson(annotations: Readonly<Record<string, string>> | undefined): GoValue | undefined {
  return annotations === undefined || Object.keys(annotations).length === 0 ? undefined : goMap(annotations);
}

/** One image of a docker-archive's manifest.json (paths are inside the archive). */
export interface DockerArchiveEntry {
  readonly Config: string;
  readonly RepoTags: readonly string[];
  readonly Layers: readonly string[];
}

export function serializeDockerArchiveManifest(entries: readonly DockerArchiveEntry[]): Buffer {
  return Buffer.from(goJson(entries.map((entry) => ({ Config: entry.Config, RepoTags: [...entry.RepoTags], Layers: [...entry.Layers] }))), 'utf8');
}

/**
 * Checks a manifest read from the store or an archive: schema version, a config descriptor and
 * layer descriptors with valid digests, sizes and layer media types tsbuild can read.
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Manifest>;
  if (typeof value !== 'object' || value === null || value.schemaVersion !== 2) throw new TypeError('not an image manifest (schemaVersion 2)');
  const mediaType = value.mediaType ?? MediaTypes.ociManifest;
  if (mediaType !== MediaTypes.ociManifest && mediaType !== MediaTypes.dockerManifest) throw new TypeError(`unsupported manifest media type ${JSON.stringify(mediaType)}`);
  const config = checkDescriptor(value.config, 'config');
  if (!Array.isArray(value.layers)) throw new TypeError('the manifest has no layers list');
  const layers = value.layers.map((layer, index) => {
    const descriptor = checkDescriptor(layer, `layer ${index}`);
    if (layerCompression(descriptor.mediaType) === undefined) throw new TypeError(`layer ${index} has an unsupported media type ${JSON.stringify(descriptor.mediaType)}`);
    return descriptor;
  });
  return { schemaVersion: 2, mediaType, config, layers, ...(value.annotations ? { annotations: value.annotations } : {}) };
}

function checkDescriptor(value: unknown, what: string): Descriptor {
  const descriptor = value as Partial<Descriptor> | undefined;
  if (typeof descriptor !== 'object' || descriptor === null || typeof descriptor.mediaType !== 'string') throw new TypeError(`the manifest's ${what} is not a descriptor`);
  assertDigest(descriptor.digest, `${what} digest`);
  if (!Number.isSafeInteger(descriptor.size) || (descriptor.size as number) < 0) throw new TypeError(`the manifest's ${what} has an invalid size`);
  return descriptor as Descriptor;
}
