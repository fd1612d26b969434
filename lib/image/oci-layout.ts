// The OCI image layout's own files (image-spec image-layout.md): `oci-layout` and `index.json`.
// Each named image gets one index entry per name, annotated the way containerd and Docker 25+
// write them: `io.containerd.image.name` with the full reference and
// `org.opencontainers.image.ref.name` with the tag alone. An unnamed image gets a bare entry.
import { assertDigest } from '../../cache/digest.js';
import { ociIndex, serializeIndex, type Descriptor, type ImageIndex } from './manifest.js';
import { MediaTypes } from './media-types.js';
import { parseReference, withDefaultTag } from './reference.js';

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_INDEX_FILE = 'index.json';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';

/** `{"imageLayoutVersion": "1.0.0"}` with the space Go's containerd and Docker write. */
export const OCI_LAYOUT_BYTES: Buffer = Buffer.from('{"imageLayoutVersion": "1.0.0"}', 'utf8');

export interface NamedManifest {
  readonly descriptor: Descriptor;
  /** Full names (`docker.io/library/app:v1`); may be empty. */
  readonly names: readonly string[];
}

export function layoutIndex(images: readonly NamedManifest[]): ImageIndex {
  const manifests: Descriptor[] = [];
  for (const image of images) {
    const bare = { mediaType: image.descriptor.mediaType, digest: image.descriptor.digest, size: image.descriptor.size };
    if (image.names.length === 0) manifests.push(bare);
    for (const name of image.names) manifests.push({ ...bare, annotations: nameAnnotations(name) });
  }
  return ociIndex(manifests);
}

export function serializeLayoutIndex(images: readonly NamedManifest[]): Buffer {
  return serializeIndex(layoutIndex(images));
}

function nameAnnotations(fullName: string): Record<string, string> {
  const reference = withDefaultTag(parseReference(fullName));
  return { [ANNOTATION_IMAGE_NAME]: fullName, [ANNOTATION_REF_NAME]: reference.tag ?? 'latest' };
}

/** The image name an index entry carries: the containerd name, else a ref.name that is a full reference. */
export function nameOfEntry(descriptor: Descriptor): string | undefined {
  const annotations = descriptor.annotations ?? {};
  const full = annotations[ANNOTATION_IMAGE_NAME];
  if (full) return full;
  const ref = annotations[ANNOTATION_REF_NAME];
  // A bare tag (`v1`) names no repository; skopeo and umoci write those. Only references with a
  // repository part can become a tag in the store.
  return ref && /[/:]/.test(ref) ? ref : undefined;
}

/** Reads `index.json`: an index whose entries are descriptors with valid digests. */
export function parseLayoutIndex(bytes: Uint8Array): ImageIndex {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<ImageIndex>;
  if (typeof value !== 'object' || value === null || value.schemaVersion !== 2 || !Array.isArray(value.manifests)) {
    throw new TypeError('index.json is not an OCI image index');
  }
  const manifests = value.manifests.map((entry, index) => {
    const descriptor = entry as Partial<Descriptor>;
    if (typeof descriptor !== 'object' || descriptor === null || typeof descriptor.mediaType !== 'string') throw new TypeError(`index.json entry ${index} is not a descriptor`);
    assertDigest(descriptor.digest, `index.json entry ${index} digest`);
    if (!Number.isSafeInteger(descriptor.size) || (descriptor.size as number) < 0) throw new TypeError(`index.json entry ${index} has an invalid size`);
    return descriptor as Descriptor;
  });
  return { schemaVersion: 2, mediaType: value.mediaType ?? MediaTypes.ociIndex, manifests };
}

/** `blobs/sha256/<hex>` for a digest (checked first: the name goes into a path). */
export function blobPath(digest: string): string {
  assertDigest(digest, 'blob digest');
  return `blobs/${digest.replace(':', '/')}`;
}
