// The files of a `docker save` archive beside its OCI layout, as Docker 25+ writes them:
// `manifest.json` (per image: the config path, familiar RepoTags, layer paths, all under
// blobs/sha256/) and `repositories` (familiar repository → tag → hex of the top layer), which
// older loaders still read. Also the reader for manifest.json, old layouts (`<id>.json`,
// `<id>/layer.tar`) included.
import { goJson, goMap } from './go-json.js';
import { serializeDockerArchiveManifest, type DockerArchiveEntry } from './manifest.js';
import { blobPath } from './oci-layout.js';
import { familiarName, familiarString, parseReference } from './reference.js';

export const DOCKER_MANIFEST_FILE = 'manifest.json';
export const DOCKER_REPOSITORIES_FILE = 'repositories';

export interface ArchiveImage {
  readonly configDigest: string;
  readonly layerDigests: readonly string[];
  /** Full tag names. */
  readonly names: readonly string[];
}

export function dockerArchiveManifest(images: readonly ArchiveImage[]): Buffer {
  const entries: DockerArchiveEntry[] = images.map((image) => ({
    Config: blobPath(image.configDigest),
    RepoTags: image.names.map((name) => familiarString(parseReference(name))),
    Layers: image.layerDigests.map(blobPath),
  }));
  return serializeDockerArchiveManifest(entries);
}

/** `repositories`: only images with tags and layers appear; later images win for the same tag. */
export function dockerRepositories(images: readonly ArchiveImage[]): Buffer {
  const repositories = new Map<string, Map<string, string>>();
  for (const image of images) {
    const top = image.layerDigests.at(-1);
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
  return Buffer.from(goJson(goMap(new Map([...repositories].map(([name, tags]) => [name, goMap(tags)])))), 'utf8');
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
