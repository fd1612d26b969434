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
