// Runs a build plan: every image the plan names is resolved first (a missing one fails before
// anything runs), then each stage starts as soon as the stages it depends on are done, so
// independent stages run concurrently; the steps of a stage run in order (scheduler-step.ts).
// One failing stage aborts the others, and so does the caller's signal; the scheduler waits for
// every stage to finish its cleanup (mounts, temp folders) before it rejects, with the first
// real error rather than the aborts it caused.
import type { KeyIndex } from '../cache/key-index.js';
import type { ContentStore } from '../cache/content-store.js';
import { DockerfileError, TsbuildError } from '../lib/errors.js';
import type { Instruction } from '../parser/instructions/index.js';
import type { BuildPlan, PlannedStage } from '../parser/plan.js';
import type { BuildWarning } from '../parser/warnings.js';
import type { BaseImage, BaseImageSource } from './base-image.js';
import { dispatchInstruction, onbuildTriggers, type DispatchedInstruction } from './dispatch.js';
import type { ImportedCache, UsedStep } from './imported-cache.js';
import type { Platform } from './image-config.js';
import type { ExtraHost, NetworkMode, Sandbox } from './sandbox/types.js';
import type { BuildEventListener } from './scheduler-events.js';
import type { InputDigests } from './scheduler-inputs.js';
import { runStep, type StepRun } from './scheduler-step.js';
import type { SnapshotStore } from './snapshot-store.js';
import { initialState, scratchBase, type StageBase } from './stage-state.js';
import type { DispatchContext, StageState, StepInput } from './steps/types.js';

export type { BuildEvent, BuildEventListener } from './scheduler-events.js';

export interface SchedulerOptions {
  readonly plan: BuildPlan;
  readonly escapeToken: '\\' | '`';
  readonly platform: Platform;
  readonly images: BaseImageSource;
  readonly snapshots: SnapshotStore;
  readonly index: KeyIndex;
  /** Records from `--cache-from` caches, consulted on a local miss (see imported-cache.ts). */
  readonly imported?: ImportedCache;
  readonly content: ContentStore;
  /** The build context folder, and the content digests of what steps select from it. */
  readonly contextDir: string;
  readonly contextDigest: InputDigests['context'];
  /** The selected entries of a context input, listed on a miss to name changed files later. */
  readonly contextFiles?: InputDigests['contextFiles'];
  readonly sandbox: Sandbox;
  /** Folder for persistent step state (RUN cache mounts). */
  readonly stateDir: string;
  readonly buildArgs?: ReadonlyMap<string, string>;
  readonly secrets?: ReadonlyMap<string, string>;
  readonly network?: NetworkMode;
  /** Extra /etc/hosts entries every RUN step sees (`--add-host`); not part of any cache key. */
  readonly extraHosts?: readonly ExtraHost[];
  readonly noCache?: boolean;
  /** Stage names or indexes whose steps run without the cache (`--no-cache-filter`). */
  readonly noCacheFilter?: readonly string[];
  /** Put on each miss's `started` event what changed since the last build of that step. */
  readonly explainMisses?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: BuildEventListener;
  /** The Dockerfile's name and text, for located errors. */
  readonly file?: string;
  readonly sourceText?: string;
  /**
   * Extra fields handed to every step's dispatch and step context, for handlers that need more
   * than the contract (e.g. the opened build context for COPY/ADD selections).
   */
  readonly stepExtras?: Readonly<Record<string, unknown>>;
  /** Replaces the dispatcher (specs use fake handlers). */
  readonly dispatch?: (state: StageState, ins: Instruction, ctx: DispatchContext) => DispatchedInstruction;
}

export interface SchedulerResult {
  /** The final state of every stage that ran, by stage index. */
  readonly stages: ReadonlyMap<number, StageState>;
  /** The target stage's final state. */
  readonly target: StageState;
  readonly cache: { readonly hits: number; readonly misses: number };
  /** Findings made while dispatching (UndefinedVar…), in the order they were made. */
  readonly warnings: readonly BuildWarning[];
  /** Every step that has a cache record (hit or executed), for exporting the cache. */
  readonly used: readonly UsedStep[];
}

export function abortedError(): TsbuildError {
  return new TsbuildError('E_ABORTED', 'the build was aborted');
}

export async function runPlan(options: SchedulerOptions): Promise<SchedulerResult> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(abortedError());
  if (options.signal?.aborted) throw abortedError();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let failure: unknown;
  try {
    const images = await resolveImages(options);
    const scheduler = new StageRunner(options, images, controller.signal);
    const results = options.plan.stages.map((planned) => {
      const result = scheduler.start(planned).catch((error: unknown) => {
        if (!controller.signal.aborted) {
          failure = error;
          controller.abort(abortedError());
        }
        throw error;
      });
      result.catch(() => undefined); // awaited below; keeps a rejection from looking unhandled meanwhile
      return result;
    });
    const settled = await Promise.allSettled(results);
    if (failure !== undefined) throw failure;
    if (controller.signal.aborted || settled.some((outcome) => outcome.status === 'rejected')) throw abortedError();
    return scheduler.result(options.plan.target);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Every image the plan names (bases and --from images), resolved once, before anything runs. */
async function resolveImages(options: SchedulerOptions): Promise<Map<string, BaseImage>> {
  const wanted = new Map<string, { readonly range: Instruction['range'] }>();
  for (const planned of options.plan.stages) {
    if (planned.base.kind === 'image') wanted.set(planned.base.ref, planned.stage.from);
    for (const ref of planned.imageSources) {
      // Errors point at the instruction naming the image (COPY --from=, RUN --mount from=).
      const user = planned.stage.instructions.find((ins) => ins.original.includes(`from=${ref}`)) ?? planned.stage.from;
      if (!wanted.has(ref)) wanted.set(ref, user);
    }
  }
  const images = new Map<string, BaseImage>();
  await Promise.all([...wanted].map(async ([ref, at]) => {
    try {
      images.set(ref, await options.images.resolve(ref));
    } catch (error) {
      if (error instanceof DockerfileError) throw error;
      const code = error instanceof TsbuildError ? error.code : 'E_NOT_FOUND';
      const message = error instanceof Error ? error.message : String(error);
      throw new DockerfileError(code, message, at.range, { cause: error, file: options.file ?? '' }).inFile(options.file ?? '', options.sourceText);
    }
  }));
  return images;
}

class StageRunner {
  private readonly finals = new Map<number, Promise<StageState>>();
  private readonly done = new Map<number, StageState>();
  private readonly warnings: BuildWarning[] = [];
  private readonly counts = { hits: 0, misses: 0 };
  private readonly used: UsedStep[] = [];
  private readonly run: StepRun;

  constructor(private readonly options: SchedulerOptions, private readonly images: ReadonlyMap<string, BaseImage>, signal: AbortSignal) {
    const named = options.plan.namedContexts ?? new Map();
    // A `--build-context` name replaces a stage of the same name, as in BuildKit.
    const names = new Map(options.plan.stages.flatMap((planned) => (planned.stage.name === undefined || named.has(planned.stage.name) ? [] : [[planned.stage.name, planned.stage.index] as const])));
    const stageIndexOf = (name: string): number | undefined => names.get(name.toLowerCase());
    const buildArgs = options.buildArgs ?? new Map<string, string>();
    const network = options.network ?? 'default';
    const extras = options.stepExtras ?? {};
    const dispatchContext = { ...extras, buildArgs, metaArgs: options.plan.metaArgs, escapeToken: options.escapeToken, warn: (warning: BuildWarning) => this.warnings.push(warning), stageIndexOf, network };
    this.run = {
      dispatch: options.dispatch ?? dispatchInstruction,
      dispatchContext,
      digests: {
        context: options.contextDigest,
        ...(options.contextFiles ? { contextFiles: options.contextFiles } : {}),
        stageKey: async (index) => (await this.final(index)).key,
        imageDigest: async (ref) => {
          const stage = stageIndexOf(ref);
          return stage === undefined ? this.image(ref).manifestDigest : (await this.final(stage)).key;
        },
      },
      index: options.index,
      ...(options.imported ? { imported: options.imported } : {}),
      used: this.used,
      content: options.content,
      snapshots: options.snapshots,
      noCache: options.noCache ?? false,
      noCacheStages: new Set((options.noCacheFilter ?? []).flatMap((name) => stageIndexOf(name) ?? (/^\d+$/.test(name) ? [Number(name)] : []))),
      explainMisses: options.explainMisses ?? false,
      signal,
      emit: (event) => options.onEvent?.(event),
      counts: this.counts,
      contextDir: options.contextDir,
      stepContext: { ...extras, sandbox: options.sandbox, contextDir: options.contextDir, stateDir: options.stateDir, secrets: options.secrets ?? new Map(), stageIndexOf, buildArgs, network, extraHosts: options.extraHosts ?? [] },
      openSource: (input) => this.openSource(input, signal, stageIndexOf),
      file: options.file ?? '',
      ...(options.sourceText !== undefined ? { sourceText: options.sourceText } : {}),
    };
  }

  /** Starts a stage once its dependencies are done; resolves with its final state. */
  start(planned: PlannedStage): Promise<StageState> {
    const final = (async () => {
      await Promise.all(planned.dependsOn.map((index) => this.final(index)));
      const state = await this.runStage(planned);
      this.done.set(planned.stage.index, state);
      return state;
    })();
    this.finals.set(planned.stage.index, final);
    return final;
  }

  result(target: number): SchedulerResult {
    const state = this.done.get(target);
    if (state === undefined) throw new TsbuildError('E_PLAN', `the target stage ${target} did not run`);
    return { stages: new Map(this.done), target: state, cache: { ...this.counts }, warnings: [...this.warnings], used: [...this.used] };
  }

  private final(index: number): Promise<StageState> {
    const final = this.finals.get(index);
    if (final === undefined) return Promise.reject(new TsbuildError('E_PLAN', `stage ${index} is not part of the plan or comes later`));
    return final;
  }

  private image(ref: string): BaseImage {
    const named = this.options.plan.namedContexts?.get(ref);
    const image = this.images.get(named?.kind === 'image' ? named.ref : ref);
    if (image === undefined) throw new TsbuildError('E_NOT_FOUND', `image ${ref} was not resolved for this build`);
    return image;
  }

  private async runStage(planned: PlannedStage): Promise<StageState> {
    const base = await this.stageBase(planned);
    let state = initialState({ stageIndex: planned.stage.index, base, platform: this.options.platform });
    const instructions = [...onbuildTriggers(base.config, planned.stage.from.range), ...planned.stage.instructions];
    for (const [step, ins] of instructions.entries()) {
      const where = { stage: planned.stage.index, ...(planned.stage.name !== undefined ? { stageName: planned.stage.name } : {}), step, steps: instructions.length, text: ins.original };
      state = await runStep(this.run, state, ins, where);
    }
    return state;
  }

  private async stageBase(planned: PlannedStage): Promise<StageBase> {
    const base = planned.base;
    if (base.kind === 'scratch') return scratchBase();
    if (base.kind === 'stage') {
      const parent = await this.final(base.index);
      return { config: parent.config, layers: parent.layers, history: parent.history, key: parent.key, ...(parent.buildEnv ? { buildEnv: parent.buildEnv } : {}), ...(parent.author ? { author: parent.author } : {}) };
    }
    const image = this.image(base.ref);
    return { config: image.config, layers: image.layers, history: image.history, key: image.manifestDigest, ...(image.author ? { author: image.author } : {}) };
  }

  /** An `image` input naming a stage of the plan (a handler that does not know stage names) is that stage. */
  private async openSource(input: Exclude<StepInput, { source: 'context' | 'url' }>, signal: AbortSignal, stageIndexOf: (name: string) => number | undefined) {
    const stage = input.source === 'stage' ? input.stageIndex : stageIndexOf(input.ref);
    const layers = stage !== undefined ? (await this.final(stage)).layers : this.image((input as { ref: string }).ref).layers;
    await this.options.imported?.materialize(layers, signal);
    return this.options.snapshots.openTree(layers, signal);
  }
}
