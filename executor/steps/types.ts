// The contract between the scheduler and the per-instruction step files: a stage is a StageState
// folded over its (expanded) instructions. `apply` and `describe` are pure, so a dry run or a cache
// lookup never touches disk; only `execute` has side effects, and only cache misses call it.
import type { Readable, Writable } from 'node:stream';
import type { Json } from '../../cache/cache-key.js';
import type { LayerRef } from '../../cache/key-index.js';
import type { Instruction, InstructionKind, InstructionOf } from '../../parser/instructions/index.js';
import type { BuildWarning } from '../../parser/warnings.js';
import type { ContainerConfig, HistoryEntry, Platform } from '../image-config.js';
import type { Sandbox } from '../sandbox/types.js';

/** An ARG declared in the stage so far; `value` undefined when it has none (then it is not in the env). */
export interface StageArg {
  readonly name: string;
  readonly value?: string;
}

export interface StageState {
  /** 0-based stage index in the Dockerfile. */
  readonly stageIndex: number;
  /** The image config so far (the base image's, changed by each step). */
  readonly config: ContainerConfig;
  /** ARGs declared in this stage so far, in declaration order. */
  readonly args: readonly StageArg[];
  /** The layers of the filesystem so far, bottom first. */
  readonly layers: readonly LayerRef[];
  readonly history: readonly HistoryEntry[];
  /** Cache key of the state: the base's manifest digest, `scratch`, a stage's final key, or the last step's key. */
  readonly key: string;
  readonly platform: Platform;
  /**
   * The environment of the build state, `KEY=value` in BuildKit's order: the config's Env when the
   * stage starts, then each ENV pair and each ARG with a value moved to the end as it is set (so a
   * later ARG shadows an ENV for expansion and RUN, while the config keeps the ENV). Absent in
   * states built by hand: then it is the config's Env followed by the ARGs with values.
   */
  readonly buildEnv?: readonly string[];
  /** True once a CMD ran in this stage: a later ENTRYPOINT keeps the CMD instead of clearing it. */
  readonly cmdSet?: boolean;
  /** The image's author (MAINTAINER); the exporter writes it to the config's `author`. */
  readonly author?: string;
}

/** What applying and describing a step may consult besides the state and the instruction. */
export interface DispatchContext {
  /** `--build-arg` values (proxy args included; they never enter keys or history). */
  readonly buildArgs: ReadonlyMap<string, string>;
  /** Global ARG values after build args and defaults (what a bare `ARG NAME` in a stage inherits). */
  readonly metaArgs: ReadonlyMap<string, string>;
  readonly escapeToken: '\\' | '`';
  readonly warn: (warning: BuildWarning) => void;
}

/**
 * What a step reads besides the state, named so the scheduler can hash it before deciding a hit:
 * context paths (content digests of the selection), another stage (its final key) or an image.
 */
export type StepInput =
  | { readonly source: 'context'; readonly paths: readonly string[]; readonly exclude?: readonly string[]; readonly followPaths?: boolean; /** A `--build-context` folder; absent: the main context. */ readonly context?: string }
  | { readonly source: 'stage'; readonly stageIndex: number }
  | { readonly source: 'image'; readonly ref: string }
  | { readonly source: 'url'; readonly url: string; readonly checksum?: string };

export interface StepDescription {
  /** Everything about the step and its state that can change the result (enters the cache key). */
  readonly op: Json;
  readonly inputs?: readonly StepInput[];
}

/** A read-only filesystem tree a step copies from or mounts: the build context, a stage or an image. */
export interface SourceTree {
  /** A host directory holding the tree (a stage's merged snapshot or a checked-out context). */
  readonly dir: string;
  /** Releases what was prepared for the step. */
  release(): Promise<void>;
}

/** Everything `execute` may touch. The scheduler prepares the rootfs and turns its changes into a layer. */
export interface StepContext {
  /** The step's rootfs on the host: an overlay over the state's layers, or a copied tree. */
  readonly rootfs: string;
  readonly sandbox: Sandbox;
  /** The build context folder (already filtered by .dockerignore for COPY/ADD selections). */
  readonly contextDir: string;
  /** Mounts another stage's or an image's final filesystem read-only. */
  openSource(input: Exclude<StepInput, { source: 'context' | 'url' }>): Promise<SourceTree>;
  /** Folder under the root for persistent state of steps (RUN cache mounts, downloads). */
  readonly stateDir: string;
  readonly secrets: ReadonlyMap<string, string>;
  readonly stdin?: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly signal: AbortSignal;
}

export interface StepHandler<K extends InstructionKind> {
  readonly kind: K;
  /** Pure: the state after the step (config, args, history). `ins` is already expanded. */
  apply(state: StageState, ins: InstructionOf<K>, ctx: DispatchContext): StageState;
  /** Pure: what enters the step's cache key. */
  describe(state: StageState, ins: InstructionOf<K>, ctx: DispatchContext): StepDescription;
  /**
   * Side effects in `ctx.rootfs`; absent for metadata-only instructions. `state` is the state before
   * the step (the one describe saw), so WORKDIR resolves a relative path the same way in both.
   */
  execute?(ctx: StepContext, state: StageState, ins: InstructionOf<K>): Promise<void>;
}

export type AnyStepHandler = { readonly [K in InstructionKind]: StepHandler<K> }[InstructionKind];
export type { Instruction };
