// The files of a `docker save` archive beside its OCI layout, as Docker 25+ writes them:
// `manifest.json` (per image: the config path, familiar RepoTags, layer paths, all under
// blobs/sha256/, and LayerSources: each layer's descriptor by DiffID) and `repositories` (familiar repository → tag → hex of the top layer), which
// older loaders still read. Also the reader for manifest.json, old layouts (`<id>.json`,
// `<id>/layer.tar`) included.
import { goJson, goMap, type GoValue } from './go-json.js';
import { blobPath } from './oci-layout.js';
import { familiarName, familiarString, parseReference } from './reference.js';

export const DOCKER_MANIFEST_FILE = 'manifest.json';
export const DOCKER_REPOSITORIES_FILE = 'repositories';

export interface ArchiveLayer {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly diffId: string;
}

export interface ArchiveImage {
  readonly configDigest: string;
  readonly layers: readonly ArchiveLayer[];
  /** Full tag names. */
  readonly names: readonly string[];
}

/** manifest.json's bytes as Docker writes them (Go struct order, a trailing newline). */
export function dockerArchiveManifest(images: readonly ArchiveImage[]): Buffer {
  const entries: GoValue[] = images.map((image) => ({
    Config: blobPath(image.configDigest),
    RepoTags: image.names.map((name) => familiarString(parseReference(name))),
    Layers: image.layers.map((layer) => blobPath(layer.digest)),
    LayerSources: image.layers.length === 0 ? undefined : goMap(Object.fromEntries(image.layers.map((layer) => [layer.diffId, { mediaType: layer.mediaType, size: layer.size, digest: layer.digest }]))),
  }));
  return Buffer.from(`${goJson(entries)}\n`, 'utf8');
}

/** `repositories`: only images with tags and layers appear; later images win for the same tag. */
export function dockerRepositories(images: readonly ArchiveImage[]): Buffer {
  const repositories = new Map<string, Map<string, string>>();
  for (const image of images) {
    const top = image.layers.at(-1)?.digest;
    if (top === undefined) continue;
    for (const name of image.names) {
      const reference = parseReference(name);
      if (reference.tag === undefined) continue;
      const repository = familiarName(reference);
      const tags = repositories.get(repository) ?? new Map<string, string>();
      tags.set(reference.tag, top.replace(/^sha256:/, ''));
      repositories.set(repository, tags);
    }
  }
  return Buffer.from(`${goJson(goMap(new Map([...repositories].map(([name, tags]) => [name, goMap(tags)]))))}\n`, 'utf8');
}

/** One image as manifest.json describes it (paths are archive paths, not yet trusted). */
export interface DockerManifestEntry {
  readonly config: string;
  readonly repoTags: readonly string[];
  readonly layers: readonly string[];
}

export function parseDockerArchiveManifest(bytes: Uint8Array): DockerManifestEntry[] {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  if (!Array.isArray(value)) throw new TypeError('manifest.json is not a list of images');
  return value.map((item, index) => {
    const entry = item as Partial<Record<'Config' | 'RepoTags' | 'Layers', unknown>>;
    const strings = (list: unknown): list is string[] => Array.isArray(list) && list.every((text) => typeof text === 'string');
    if (typeof entry?.Config !== 'string' || !strings(entry.Layers)) throw new TypeError(`manifest.json entry ${index} has no Config or Layers`);
    const repoTags = entry.RepoTags === null || entry.RepoTags === undefined ? [] : entry.RepoTags;
    if (!strings(repoTags)) throw new TypeError(`manifest.json entry ${index} has invalid RepoTags`);
    return { config: entry.Config, repoTags, layers: entry.Layers };
  });
}
