// One step of a stage: dispatch (pure) → cache key → hit: reuse the recorded layer; miss: run the
// handler on a fresh rootfs and turn its changes into a layer, recorded under the key with the
// key's input so a later miss can be explained. Metadata-only steps only advance the key.
import { cacheKey, canonicalJson, explainKeyChange, keyInput, type Json, type KeyParts } from '../cache/cache-key.js';
import type { ContentStore } from '../cache/content-store.js';
import type { KeyIndex, LayerRef } from '../cache/key-index.js';
import { DockerfileError, TsbuildError } from '../lib/errors.js';
import type { Instruction } from '../parser/instructions/index.js';
import type { DispatchedInstruction } from './dispatch.js';
import { LineSplitter, type BuildEvent, type StepEventBase } from './scheduler-events.js';
import { resolveKeyInputs, type InputDigests } from './scheduler-inputs.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { DispatchContext, SourceTree, StageState, StepContext, StepInput } from './steps/types.js';

/** What every step of a build shares. */
export interface StepRun {
  readonly dispatch: (state: StageState, ins: Instruction, ctx: DispatchContext) => DispatchedInstruction;
  readonly dispatchContext: DispatchContext;
  readonly digests: InputDigests;
  readonly index: KeyIndex;
  readonly content: ContentStore;
  readonly snapshots: SnapshotStore;
  readonly noCache: boolean;
  /** Stages whose steps never use the cache (`--no-cache-filter`). */
  readonly noCacheStages: ReadonlySet<number>;
  /** Say on each miss what changed since the last build of the same step. */
  readonly explainMisses: boolean;
  readonly signal: AbortSignal;
  readonly emit: (event: BuildEvent) => void;
  readonly counts: { hits: number; misses: number };
  /** Where the step identity for explaining misses comes from (the context folder). */
  readonly contextDir: string;
  /** The StepContext minus what is prepared per step. */
  readonly stepContext: Omit<StepContext, 'rootfs' | 'stdout' | 'stderr' | 'openSource' | 'signal'> & Record<string, unknown>;
  readonly openSource: (input: Exclude<StepInput, { source: 'context' | 'url' }>) => Promise<SourceTree>;
  readonly file: string;
  readonly sourceText?: string;
}

/** Runs one instruction on `state`; returns the state after it, with its key and layer. */
export async function runStep(run: StepRun, state: StageState, ins: Instruction, where: StepEventBase): Promise<StageState> {
  run.signal.throwIfAborted();
  let started = Date.now();
  let metadataOnly = false;
  let cached = false;
  let announced = false;
  try {
    const dispatched = run.dispatch(state, ins, run.dispatchContext);
    const parts: KeyParts = {
      parent: state.key,
      kind: ins.kind,
      op: dispatched.description.op,
      platform: state.platform as unknown as Json,
      inputs: await resolveKeyInputs(dispatched.description.inputs, run.digests),
    };
    const key = cacheKey(parts);
    if (dispatched.handler.execute === undefined) {
      metadataOnly = true;
      run.emit({ type: 'step', phase: 'started', ...where, cached: false, metadataOnly });
      announced = true;
      run.emit({ type: 'step', phase: 'finished', ...where, cached: false, metadataOnly, durationMs: Date.now() - started });
      return { ...dispatched.state, key };
    }
    const stepIdentity = canonicalJson({ context: run.contextDir, stage: where.stageName ?? where.stage, step: where.step, kind: ins.kind });
    const outcome = await cachedOrExecuted(run, { key, parts, stepIdentity, state, dispatched, where }, (hit, missReason) => {
      cached = hit;
      started = Date.now();
      announced = true;
      run.emit({ type: 'step', phase: 'started', ...where, cached, metadataOnly, ...(missReason ? { missReason } : {}) });
    });
    const next = withLayer(state, dispatched.state, outcome, key);
    run.emit({ type: 'step', phase: 'finished', ...where, cached, metadataOnly, durationMs: Date.now() - started });
    return next;
  } catch (error) {
    const located = locateError(error, ins, run);
    if (!announced) run.emit({ type: 'step', phase: 'started', ...where, cached, metadataOnly });
    run.emit({ type: 'step', phase: 'finished', ...where, cached, metadataOnly, durationMs: Date.now() - started, error: located.message });
    throw located;
  }
}

interface PendingStep {
  readonly key: string;
  readonly parts: KeyParts;
  readonly stepIdentity: string;
  readonly state: StageState;
  readonly dispatched: DispatchedInstruction;
  readonly where: StepEventBase;
}

/**
 * The step's layer from the cache, or from running it. A miss takes the key's build lock and looks
 * again, so two builds sharing the root run the same step once and the second one reuses it.
 */
async function cachedOrExecuted(run: StepRun, step: PendingStep, onStart: (cached: boolean, missReason?: readonly string[]) => void): Promise<LayerRef | null> {
  const useCache = !run.noCache && !run.noCacheStages.has(step.state.stageIndex);
  const early = useCache ? await lookup(run, step.key, step.stepIdentity) : undefined;
  if (early !== undefined) return hit(run, early, onStart);
  const lock = await run.index.lockForBuilding(step.key, { signal: run.signal });
  try {
    const late = useCache ? await lookup(run, step.key, step.stepIdentity) : undefined;
    if (late !== undefined) return hit(run, late, onStart);
    const input = keyInput(step.parts);
    onStart(false, run.explainMisses ? await missReason(run, step.stepIdentity, input, useCache) : undefined);
    run.counts.misses++;
    const layer = await executeStep(run, step.state, step.dispatched, step.where);
    await run.index.put({ key: step.key, layer, configChange: configChange(step.state, step.dispatched.state), input, stepIdentity: step.stepIdentity });
    return layer;
  } finally {
    await lock.release();
  }
}

function hit(run: StepRun, record: { layer: LayerRef | null }, onStart: (cached: boolean) => void): LayerRef | null {
  onStart(true);
  run.counts.hits++;
  return record.layer;
}

/** What changed since the last record of this step (same stage, position and kind). */
async function missReason(run: StepRun, stepIdentity: string, input: Json, useCache: boolean): Promise<readonly string[]> {
  const previous = await run.index.previousForStep(stepIdentity);
  if (previous === undefined) return ['no earlier build of this step'];
  if (!useCache) return [run.noCache ? '--no-cache' : '--no-cache-filter'];
  const lines = explainKeyChange(previous.input, input);
  return lines.length > 0 ? lines : ['the record was removed or its layer is missing'];
}

/** A usable record: its layer blob must still be in the store (else the step runs again). */
async function lookup(run: StepRun, key: string, stepIdentity: string): Promise<{ layer: LayerRef | null } | undefined> {
  const record = await run.index.get(key);
  if (record === undefined) return undefined;
  if (record.layer !== null) {
    // Leased before the check, so a prune that starts now keeps it until the image is written.
    await run.snapshots.protect([record.layer]);
    // Re-hashed unless unchanged on disk since it last hashed right, not only looked for: a blob
    // damaged on disk must be a miss, never a result (a damaged copy is removed, so the step runs
    // again and stores it anew).
    if ((await run.content.verifyBlobUnlessUnchanged(record.layer.digest)) !== 'ok') return undefined;
  }
  await run.index.touch(key, stepIdentity);
  return { layer: record.layer };
}

async function executeStep(run: StepRun, state: StageState, dispatched: DispatchedInstruction, where: StepEventBase): Promise<LayerRef | null> {
  const rootfs = await run.snapshots.prepareStepRootfs(state.layers, run.signal);
  const opened: SourceTree[] = [];
  const stdout = new LineSplitter((line) => run.emit({ type: 'log', ...where, stream: 'stdout', line }));
  const stderr = new LineSplitter((line) => run.emit({ type: 'log', ...where, stream: 'stderr', line }));
  const ctx: StepContext = {
    ...run.stepContext,
    rootfs: rootfs.rootfs,
    stdout,
    stderr,
    signal: run.signal,
    openSource: async (input) => {
      const tree = await run.openSource(input);
      opened.push(tree);
      return tree;
    },
  };
  try {
    await dispatched.handler.execute!(ctx, state, dispatched.expanded as never);
    run.signal.throwIfAborted();
    return await run.snapshots.commitStep(rootfs, state.layers, { keepEmpty: declaresLayer(state, dispatched.state), signal: run.signal });
  } finally {
    stdout.flushPartial();
    stderr.flushPartial();
    for (const tree of opened.reverse()) await tree.release().catch(() => undefined);
    await rootfs.release();
  }
}

/**
 * Whether the step's history entry says it has a layer. BuildKit gives such a step a layer even
 * when it changed nothing (the empty tar, e.g. WORKDIR of an existing folder); a step whose entry
 * is marked empty_layer (WORKDIR /) gets none.
 */
function declaresLayer(before: StageState, after: StageState): boolean {
  return after.history.length > before.history.length && after.history.at(-1)!.empty_layer !== true;
}

/** The applied state with the step's key and layer; a step without a layer is an empty_layer entry. */
function withLayer(before: StageState, after: StageState, layer: LayerRef | null, key: string): StageState {
  if (layer !== null) return { ...after, key, layers: [...after.layers, layer] };
  const history = [...after.history];
  const last = history.length > before.history.length ? history.at(-1) : undefined;
  if (last !== undefined && last.empty_layer !== true) history[history.length - 1] = { ...last, empty_layer: true };
  return { ...after, key, history };
}

/** What the step changed in the config, for explaining a record (a hit re-applies the step itself). */
function configChange(before: StageState, after: StageState): Json {
  const change: { [key: string]: Json } = {};
  const keys = new Set([...Object.keys(before.config), ...Object.keys(after.config)]);
  for (const name of [...keys].sort()) {
    const was = (before.config as Record<string, unknown>)[name];
    const now = (after.config as Record<string, unknown>)[name];
    if (JSON.stringify(was) !== JSON.stringify(now)) change[name] = (now ?? null) as Json;
  }
  return change;
}

/** Wraps an error once with the instruction's location; located errors pass through. */
function locateError(error: unknown, ins: Instruction, run: Pick<StepRun, 'file' | 'sourceText'>): DockerfileError {
  if (error instanceof DockerfileError) {
    return error.location.file === '' ? error.inFile(run.file, error.sourceText ?? run.sourceText) : error;
  }
  const aborted = (error as { name?: string } | undefined)?.name === 'AbortError';
  const code = error instanceof TsbuildError ? error.code : aborted ? 'E_ABORTED' : 'E_STEP';
  const message = aborted ? 'the build was aborted' : error instanceof Error ? error.message : String(error);
  return new DockerfileError(code, message, ins.range, { cause: error, file: run.file }).inFile(run.file, run.sourceText);
}
