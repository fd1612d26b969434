// What `tsbuild build -o …` writes once the image is in the store, and the `--metadata-file`
// JSON buildx writes: `containerimage.digest` (the manifest digest of what was exported, or of the
// stored image), `containerimage.config.digest`, `containerimage.descriptor` and `image.name`.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Descriptor } from '../image/manifest.js';
import { descriptorJson } from '../image/manifest.js';
import { goJsonIndent } from '../image/go-json.js';
import { MediaTypes } from '../image/media-types.js';
import { normalizeTagName } from '../image/reference.js';
import type { ImageStore, StoredImage } from '../store/image-store.js';
import { keepOpen, requireNonTerminal, writeFileVia } from './archive-target.js';
import type { ExportedImage } from './export-image.js';
import { blobReporter, countingSink, type TransferListener } from '../transfer-progress.js';
import type { OutputSpec } from './output-spec.js';
import { writeRootfsDir, writeRootfsTar } from './rootfs-export.js';
import { writeImageArchive, writeOciLayoutDir, type NamedImage } from './write-archive.js';

export interface OutputContext {
  readonly stdout: Writable;
  readonly cwd: string;
  /** The build's tags (full names), used when an output names none. */
  readonly tags: readonly string[];
  readonly sourceDateEpoch?: number;
  readonly onWarning?: (message: string) => void;
  /** Bytes written per archive output (`-o type=docker|oci|tar`), for the progress output. */
  readonly onTransfer?: TransferListener;
}

/** The image as the last docker/oci output wrote it, else as stored. */
export interface OutputResult {
  readonly descriptor: Descriptor;
  readonly configDigest: string;
  readonly names: readonly string[];
}

export async function writeBuildOutputs(store: ImageStore, image: StoredImage, specs: readonly OutputSpec[], context: OutputContext): Promise<OutputResult> {
  let result: OutputResult = {
    descriptor: { mediaType: MediaTypes.ociManifest, digest: image.manifestDigest, size: image.manifestSize },
    configDigest: image.id,
    names: context.tags,
  };
  for (const spec of specs) {
    const exported = await writeOutput(store, image, spec, context);
    if (exported !== undefined) result = { descriptor: exported.image.manifestDescriptor, configDigest: exported.image.manifest.config.digest, names: exported.names };
  }
  return result;
}

async function writeOutput(store: ImageStore, image: StoredImage, spec: OutputSpec, context: OutputContext): Promise<{ image: ExportedImage; names: readonly string[] } | undefined> {
  if (spec.type === 'registry' || spec.type === 'image') return undefined; // stored already; pushing is registry-push.ts
  const dest = spec.dest === '-' ? '-' : resolve(context.cwd, spec.dest);
  const counted = <T>(write: (sink: Writable) => Promise<T>) => (sink: Writable): Promise<T> =>
    context.onTransfer ? write(countingSink(sink, blobReporter(context.onTransfer, { action: 'export', ref: `type=${spec.type}`, blob: dest === '-' ? 'stdout' : spec.dest }))) : write(sink);
  const toSink = <T>(write: (sink: Writable) => Promise<T>): Promise<T> =>
    dest === '-' ? counted(write)(keepOpen(requireNonTerminal(context.stdout, 'the output'))) : mkdir(dirname(dest), { recursive: true }).then(() => writeFileVia(dest, counted(write)));
  const rootfsOptions = { ...(context.sourceDateEpoch !== undefined ? { sourceDateEpoch: context.sourceDateEpoch } : {}), ...(context.onWarning ? { onWarning: context.onWarning } : {}) };
  if (spec.type === 'local') return void (await writeRootfsDir(store, image, dest, rootfsOptions));
  if (spec.type === 'tar') return void (await toSink((sink) => writeRootfsTar(store, image, sink, rootfsOptions)));
  const names = (spec.names ?? context.tags).map(normalizeTagName);
  const named: NamedImage[] = [{ image, names }];
  const options = {
    compression: spec.compression,
    ...(spec.compressionLevel !== undefined ? { compressionLevel: spec.compressionLevel } : {}),
    // Without SOURCE_DATE_EPOCH there is nothing to clamp to, and BuildKit leaves the layers as they are.
    ...(spec.rewriteTimestamp && context.sourceDateEpoch !== undefined ? { rewriteTimestamp: context.sourceDateEpoch } : {}),
  };
  const written = !spec.tar
    ? await writeOciLayoutDir(store, named, dest, options)
    : await toSink((sink) => writeImageArchive(store, named, sink, { ...options, format: spec.type === 'docker' ? 'docker' : 'oci' }));
  return { image: written.images[0]!, names };
}

/** The metadata file's text (buildx indents with two spaces; keys sorted as Go maps are). */
export function buildMetadataJson(result: OutputResult): string {
  const value = new Map<string, unknown>([
    ['containerimage.config.digest', result.configDigest],
    ['containerimage.descriptor', descriptorJson(result.descriptor)],
    ['containerimage.digest', result.descriptor.digest],
  ]);
  if (result.names.length > 0) value.set('image.name', result.names.join(','));
  return goJsonIndent(value as Parameters<typeof goJsonIndent>[0], '  ');
}

export interface BuildExportRequest {
  readonly outputs: readonly OutputSpec[];
  readonly metadataFile?: string;
  readonly stdout: Writable;
  readonly cwd: string;
  readonly sourceDateEpoch?: number;
  readonly onTransfer?: TransferListener;
}

/** After a build: writes its `-o` outputs and its `--metadata-file`. */
export async function exportBuildResult(store: ImageStore, built: { digest: string; tags: readonly string[] }, request: BuildExportRequest): Promise<void> {
  const image = await store.load(built.digest);
  const result = await writeBuildOutputs(store, image, request.outputs, {
    stdout: request.stdout,
    cwd: request.cwd,
    tags: built.tags,
    ...(request.sourceDateEpoch !== undefined ? { sourceDateEpoch: request.sourceDateEpoch } : {}),
    ...(request.onTransfer ? { onTransfer: request.onTransfer } : {}),
  });
  if (request.metadataFile !== undefined) await writeFile(resolve(request.cwd, request.metadataFile), `${buildMetadataJson(result)}\n`);
}
