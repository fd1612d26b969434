// One step of a stage: dispatch (pure) → cache key → hit: reuse the recorded layer; miss: run the
// handler on a fresh rootfs and turn its changes into a layer, recorded under the key with the
// key's input so a later miss can be explained. Metadata-only steps only advance the key.
import { cacheKey, canonicalJson, keyInput, type Json, type KeyParts } from '../cache/cache-key.js';
import type { ContentStore } from '../cache/content-store.js';
import type { KeyIndex, LayerRef } from '../cache/key-index.js';
import { DockerfileError, TsbuildError } from '../lib/errors.js';
import type { Instruction } from '../parser/instructions/index.js';
import type { DispatchedInstruction } from './dispatch.js';
import type { ImportedCache, UsedStep } from './imported-cache.js';
import { LineSplitter, type BuildEvent, type StepEventBase } from './scheduler-events.js';
import { contextSelections, explainMiss, recordFileLists } from './scheduler-explain.js';
import { resolveKeyInputs, type InputDigests } from './scheduler-inputs.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { DispatchContext, SourceTree, StageState, StepContext, StepInput } from './steps/types.js';

/** What every step of a build shares. */
export interface StepRun {
  readonly dispatch: (state: StageState, ins: Instruction, ctx: DispatchContext) => DispatchedInstruction;
  readonly dispatchContext: DispatchContext;
  readonly digests: InputDigests;
  readonly index: KeyIndex;
  /** Records from `--cache-from` caches, consulted on a local miss. */
  readonly imported?: ImportedCache;
  /** Every step with a record (hit or executed), in the order they finished, for cache export. */
  readonly used: UsedStep[];
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
      layerEpoch: run.snapshots.layerEpoch,
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
    run.used.push({ stage: state.stageIndex, key, layer: outcome.layer, configChange: outcome.configChange });
    const next = withLayer(state, dispatched.state, outcome.layer, key);
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
async function cachedOrExecuted(run: StepRun, step: PendingStep, onStart: (cached: boolean, missReason?: readonly string[]) => void): Promise<FoundRecord> {
  const useCache = !run.noCache && !run.noCacheStages.has(step.state.stageIndex);
  const early = useCache ? await lookup(run, step.key, step.stepIdentity) : undefined;
  if (early !== undefined) return hit(run, early, onStart);
  const lock = await run.index.lockForBuilding(step.key, { signal: run.signal });
  try {
    const late = useCache ? await lookup(run, step.key, step.stepIdentity) : undefined;
    if (late !== undefined) return hit(run, late, onStart);
    const input = keyInput(step.parts);
    // Listed on every miss, not only when explaining: the record keeps them for later misses.
    const selections = await contextSelections(run.digests, step.dispatched.description.inputs);
    const miss = { stepIdentity: step.stepIdentity, input, useCache, selections, text: step.where.text };
    onStart(false, run.explainMisses ? await explainMiss(run.index, run.noCache, miss) : undefined);
    run.counts.misses++;
    const layer = await executeStep(run, step.state, step.dispatched, step.where);
    const change = configChange(step.state, step.dispatched.state);
    await run.index.put({ key: step.key, layer, configChange: change, input, stepIdentity: step.stepIdentity, ...recordFileLists(selections) });
    return { layer, configChange: change };
  } finally {
    await lock.release();
  }
}

interface FoundRecord {
  readonly layer: LayerRef | null;
  readonly configChange: Json;
}

function hit(run: StepRun, record: FoundRecord, onStart: (cached: boolean) => void): FoundRecord {
  onStart(true);
  run.counts.hits++;
  return record;
}

/**
 * A usable record: a local one whose layer blob is still in the store, else one from an imported
 * cache (its blob is fetched later, when needed); undefined when the step must run.
 */
async function lookup(run: StepRun, key: string, stepIdentity: string): Promise<FoundRecord | undefined> {
  const record = await run.index.get(key);
  if (record !== undefined && (record.layer === null || (await layerUsable(run, record.layer)))) {
    await run.index.touch(key, stepIdentity);
    return { layer: record.layer, configChange: record.configChange };
  }
  return run.imported?.get(key);
}

async function layerUsable(run: StepRun, layer: LayerRef): Promise<boolean> {
  // Leased before the check, so a prune that starts now keeps it until the image is written.
  await run.snapshots.protect([layer]);
  // Re-hashed unless unchanged on disk since it last hashed right, not only looked for: a blob
  // damaged on disk must be a miss, never a result (a damaged copy is removed, so the step runs
  // again and stores it anew).
  return (await run.content.verifyBlobUnlessUnchanged(layer.digest)) === 'ok';
}

async function executeStep(run: StepRun, state: StageState, dispatched: DispatchedInstruction, where: StepEventBase): Promise<LayerRef | null> {
  await run.imported?.materialize(state.layers, run.signal);
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
