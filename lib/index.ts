// The public API of the tsbuild package. Everything here is documented where it is defined; the
// CLI (`tsbuild`) is built on exactly these functions and never on anything private.

/** Build an image from a Dockerfile and a context folder into the local store. */
export { build, type BuildEvent, type BuildEventListener, type BuildOptions, type BuildResult, type BuiltStage } from './build.js';
/** The local image store (images by digest with tags, under the tsbuild root). */
export { ImageStore, type StoredImage } from './store/image-store.js';
/** Dockerfile text → global ARGs and typed stages, throwing located errors. */
export { parseDockerfile, type ParsedDockerfile, type ParseOptions, type Stage } from '../parser/stages.js';
export type { Instruction, InstructionKind } from '../parser/instructions/index.js';
/** Stages → the build plan: what the target needs, in order, with its warnings. */
export { planBuild, type BuildPlan, type PlannedStage, type PlanOptions } from '../parser/plan.js';
/** BuildKit's lint rules (`build --check`). */
export { checkOutcome, lintDockerfile } from '../parser/checks.js';
export type { BuildWarning } from '../parser/warnings.js';
/** The plan of a build with variables expanded, as `build --dry-run` prints it. */
export { viewPlan, type PlanView } from './dry-run/plan-view.js';
export { DockerfileError, TsbuildError, UsageError, type ErrorCode } from './errors.js';
export { hostPlatform } from './platform.js';
export type { ContainerConfig, HealthConfig, HistoryEntry, Platform } from '../executor/image-config.js';

/**
 * The folders of a tsbuild root (`rootLayout(dir)`), as {@link openRuntime} and
 * {@link ImageStore.open} take them; `openRoot` creates the folders when missing.
 */
export { openRoot, rootLayout, type RootLayout } from '../cache/root.js';
/**
 * Pull an image from a registry into the store: `pullImage(store, 'docker.io/library/alpine:3.20')`.
 * Credentials come from `tsbuild login` / the Docker config; only the host platform is fetched.
 */
export { pullImage, type PullOptions, type PullResult } from './registry/pull.js';
/** Byte progress of a pulled layer or an exported archive (`--progress json`'s `transfer` events). */
export type { TransferEvent, TransferListener } from './transfer-progress.js';
/** `build()`'s `addHosts` entries (`--add-host`). */
export type { AddHost } from './add-host.js';
/** Push a stored image to a registry under a tag: `pushImage(store, 'registry.example.com/app:1')`. */
export { pushImage, type PushOptions, type PushResult } from './registry/push.js';
export { parseCacheFrom, parseCacheTo, type CacheExportSpec, type CacheImportSpec } from './build-cache/cache-spec.js';
export type { PullPolicy } from './build-images.js';
/** Write images as one `docker save` (format `docker`) or OCI layout (format `oci`) tar into a stream. */
export { writeImageArchive, type ArchiveFormat, type ArchiveOptions, type ArchiveResult, type NamedImage } from './export/write-archive.js';
/** Read a `docker save` or OCI layout tar from a stream into the store, as `docker load` does. */
export { loadArchive, type LoadedImage, type LoadOptions } from './export/load-archive.js';
/**
 * Running containers (`tsbuild run`): open a runtime on a root, `createContainer(runtime, image,
 * options)` decides the process from the image and options, `startContainer(runtime, id, io)`
 * runs it in the namespace sandbox and resolves once it is running; its `exited` resolves to the exit status.
 */
export { openRuntime } from './runner/runtime.js';
export { stopContainer, killContainer, restartContainer, startStopped, type StopOptions } from './runner/container-lifecycle.js';
export { execInContainer, type ExecOptions, type ExecIO } from './runner/container-exec.js';
export { containerInspectJson } from './runner/container-inspect.js';
export { parsePortSpec, type PortRequest, type PublishedPort } from './runner/port-spec.js';
export { createContainer, startContainer, RUNNER_ERROR_STATUS, type CreateOptions, type Runtime, type RunningContainer, type StartIO } from './runner/run-container.js';
