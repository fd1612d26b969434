// The build plan: which stages a build needs and in what order, with every FROM resolved to
// scratch, an earlier stage or an image, and the global ARGs evaluated. Pure: it reads the parsed
// Dockerfile and the options, nothing else. The checks and their wording follow BuildKit's
// Dockerfile frontend (dockerfile2llb), which converts the whole file before running anything,
// so every error here is one BuildKit reports before the first step runs.
import { goQuote } from './syntax-dump.js';
import { DockerfileError, lineRange, type SourceRange } from '../lib/errors.js';
import { imageReferenceError } from './checks/image-reference.js';
import { csvFields } from './csv-fields.js';
import { classifyAddSource } from './git-ref.js';
import { shellExpander } from './instructions/expander.js';
import { expandFrom, type FromInstruction } from './instructions/from.js';
import { locatedErrors } from './instructions/instruction-base.js';
import type { CopyInstruction } from './instructions/copy.js';
import { automaticArgs, applyMetaArgs, inFile, unusedBuildArgs, type PlatformSpec } from './plan-args.js';
import {
  checkCycles,
  dependenciesOf,
  reachableStages,
  stageEdges,
  stageLabel,
  type StageBase,
  type StageEdges,
  type NamedContexts,
  type StageReference,
} from './plan-graph.js';
import { expandWord, envFromEntries } from './shell-words.js';
import { withSuggestion } from './suggest.js';
import type { ParsedDockerfile, Stage } from './stages.js';
import type { BuildWarning } from './warnings.js';

export { formatPlatform, platformArgs, type PlatformSpec } from './plan-args.js';
export type { NamedContexts, NamedContextSource, StageBase } from './plan-graph.js';

/** What the caller decides about a build. */
export interface PlanOptions {
  /** The stage to build (`--target`), matched without regard to case; default: the last stage. */
  readonly target?: string;
  /** `--build-arg` values. */
  readonly buildArgs?: ReadonlyMap<string, string>;
  /** The platform built on and for (tsbuild builds for the host). */
  readonly platform: PlatformSpec;
  /** The Dockerfile's name, for error locations. */
  readonly file?: string;
  /** `--build-context` names: they replace stages and images of the same name. */
  readonly namedContexts?: NamedContexts;
}

/** One stage the build needs. */
export interface PlannedStage {
  readonly stage: Stage;
  readonly base: StageBase;
  /** `FROM --platform=` expanded against the global ARGs. */
  readonly platform?: string;
  /** The stages this one needs (its base, COPY --from, RUN --mount from=), each once. */
  readonly dependsOn: readonly number[];
  /**
   * COPY --from / mount from= values that name images rather than stages; a `docker-image://`
   * named context appears as its image reference.
   */
  readonly imageSources: readonly string[];
  /** COPY --from / mount from= values that name local folder build contexts. */
  readonly contextSources?: readonly string[];
}

export interface BuildPlan {
  /** Only the stages the target needs, dependencies before dependents (file order). */
  readonly stages: readonly PlannedStage[];
  /** The target's stage index. */
  readonly target: number;
  /**
   * The global ARG values after build args and defaults, with the automatic platform args and
   * TARGETSTAGE: what FROM lines saw and what a bare `ARG X` in a stage inherits.
   */
  readonly metaArgs: ReadonlyMap<string, string>;
  /** Findings about the options (UnusedBuildArg); lint findings come from lintDockerfile. */
  readonly warnings: readonly BuildWarning[];
  /** The build args no ARG consumed, sorted. */
  readonly unusedBuildArgs: readonly string[];
  /** The `--build-context` names the plan was made with (`docker-image://` ones map to their image). */
  readonly namedContexts?: NamedContexts;
}

interface ExpandedFrom {
  readonly image: string;
  readonly platform?: string;
}

function expandStageFrom(from: FromInstruction, metaArgs: ReadonlyMap<string, string>, escapeToken: '\\' | '`'): ExpandedFrom {
  const expander = shellExpander(envFromEntries(metaArgs), { escapeToken });
  const expanded = locatedErrors(from, () => expandFrom(from, expander), 'E_EXPANSION');
  return { image: expanded.image, ...(expanded.platform !== undefined ? { platform: expanded.platform } : {}) };
}

/** The target's index; an unknown name fails with BuildKit's text and a near stage name. */
function resolveTarget(stages: readonly Stage[], target: string | undefined): number {
  if (target === undefined || target === '') return stages.length - 1;
  const wanted = target.toLowerCase();
  for (let index = stages.length - 1; index >= 0; index--) if (stages[index]!.name === wanted) return index;
  const message = withSuggestion(`target stage ${goQuote(target)} could not be found`, target, stages.map(stageLabel), true);
  throw new DockerfileError('E_PLAN', message, stages[stages.length - 1]!.from.range);
}

/** A source that expands to a URL or Git repository without any variable's help. */
function remoteSourceKind(source: string, escapeToken: '\\' | '`'): 'http' | 'git' | 'local' {
  let literal: string;
  try {
    literal = expandWord(source, envFromEntries([]), { escapeToken, skipUnsetEnv: true }).value;
    return classifyAddSource(literal).kind;
  } catch {
    return 'local'; // a malformed word or Git reference fails when the step is expanded
  }
}

function checkCopySources(instruction: CopyInstruction, escapeToken: '\\' | '`'): void {
  for (const source of instruction.sources) {
    const kind = remoteSourceKind(source, escapeToken);
    if (kind === 'http') throw new DockerfileError('E_INSTRUCTION', "source can't be a URL for COPY", instruction.range);
    if (kind === 'git') throw new DockerfileError('E_INSTRUCTION', "source can't be a git ref for COPY", instruction.range);
  }
}

/** The raw `target=` (`dst=`, `destination=`) of a mount, for the message about a later stage. */
function mountTarget(spec: string, from: string): string {
  let fields: string[];
  try {
    fields = csvFields(spec);
  } catch {
    return '';
  }
  const options = fields.map((field) => {
    const equals = field.indexOf('=');
    return equals < 0 ? { key: field.toLowerCase(), value: '' } : { key: field.slice(0, equals).toLowerCase(), value: field.slice(equals + 1) };
  });
  if (!options.some(({ key, value }) => key === 'from' && value === from)) return '';
  return options.find(({ key }) => key === 'target' || key === 'dst' || key === 'destination')?.value ?? '';
}

function laterStageError(reference: StageReference, current: Stage): DockerfileError {
  const { instruction, written } = reference;
  if (reference.kind === 'copy') {
    const message = `cannot copy from stage ${goQuote(written)}, it needs to be defined before current stage ${goQuote(stageLabel(current))}`;
    return new DockerfileError('E_PLAN', message, instruction.range);
  }
  const specs = instruction.kind === 'RUN' ? instruction.mountSpecs : [];
  const target = specs.map((spec) => mountTarget(spec, written)).find((value) => value !== '') ?? '';
  const message = `cannot mount from stage ${goQuote(written)} to ${goQuote(target)}, stage needs to be defined before current command`;
  return new DockerfileError('E_PLAN', message, instruction.range);
}

/**
 * What BuildKit finds while converting each needed stage in file order: a reference to a stage
 * defined later (it is not converted yet), or COPY of a URL or Git repository.
 */
function checkConversionOrder(stage: Stage, edges: StageEdges, escapeToken: '\\' | '`'): void {
  for (const instruction of stage.instructions) {
    const later = edges.references.find((reference) => reference.instruction === instruction && reference.stage !== undefined && reference.stage > stage.index);
    if (later) throw laterStageError(later, stage);
    if (instruction.kind === 'COPY') checkCopySources(instruction, escapeToken);
  }
}

/**
 * Every image a stage or reference names must parse as an image reference (BuildKit checks this
 * for all stages, needed or not, before anything is pulled).
 */
function checkImageNames(stages: readonly Stage[], edges: readonly StageEdges[]): void {
  const failure = (name: string, range: SourceRange): void => {
    const reason = imageReferenceError(name);
    if (reason !== undefined) throw new DockerfileError('E_INSTRUCTION', `failed to parse stage name ${goQuote(name)}: ${reason}`, range);
  };
  for (const stage of stages) {
    const { base, references } = edges[stage.index]!;
    if (base.kind === 'image') failure(base.ref, stage.from.range);
    for (const reference of references) if (reference.stage === undefined && !reference.namedContext) failure(reference.written, reference.instruction.range);
  }
}

function unusedBuildArgWarning(names: readonly string[]): BuildWarning[] {
  if (names.length === 0) return [];
  // The reference builder's wording; Go prints the list as `[a b]`.
  return [{ rule: 'UnusedBuildArg', level: 'warning', message: `One or more build-args [${names.join(' ')}] were not consumed` }];
}

function plannedStage(stage: Stage, edges: StageEdges, from: ExpandedFrom): PlannedStage {
  const imageSources: string[] = [];
  const contextSources: string[] = [];
  for (const { stage: index, namedContext, written } of edges.references) {
    if (index !== undefined) continue;
    if (namedContext?.kind === 'local') contextSources.push(written);
    else imageSources.push(namedContext?.kind === 'image' ? namedContext.ref : written);
  }
  return {
    stage,
    base: edges.base,
    ...(from.platform !== undefined ? { platform: from.platform } : {}),
    dependsOn: dependenciesOf(edges),
    imageSources: [...new Set(imageSources)],
    ...(contextSources.length > 0 ? { contextSources: [...new Set(contextSources)] } : {}),
  };
}

function plan(parsed: ParsedDockerfile, options: PlanOptions): BuildPlan {
  const { stages, escapeToken } = parsed;
  if (stages.length === 0) throw new DockerfileError('E_PLAN', 'dockerfile contains no stages to build', lineRange(1));
  const buildArgs = options.buildArgs ?? new Map<string, string>();
  const targetStage = options.target || (stages[stages.length - 1]!.name ?? '');
  const initial = automaticArgs(options.platform, targetStage, buildArgs);
  const metaArgs = applyMetaArgs(initial, parsed.metaArgs, buildArgs, escapeToken);
  const froms = stages.map((stage) => expandStageFrom(stage.from, metaArgs, escapeToken));
  const target = resolveTarget(stages, options.target);
  const edges = stageEdges(stages, froms.map((from) => from.image), options.namedContexts);
  checkCycles(stages, edges);
  checkImageNames(stages, edges);
  const needed = reachableStages(target, edges);
  for (const index of needed) checkConversionOrder(stages[index]!, edges[index]!, escapeToken);
  const unused = unusedBuildArgs(buildArgs, parsed.metaArgs, needed.map((index) => stages[index]!));
  return {
    stages: needed.map((index) => plannedStage(stages[index]!, edges[index]!, froms[index]!)),
    target,
    metaArgs,
    warnings: unusedBuildArgWarning(unused),
    unusedBuildArgs: unused,
    ...(options.namedContexts?.size ? { namedContexts: options.namedContexts } : {}),
  };
}

/**
 * Plans a build of `parsed` for `options.target` (default: the last stage). Throws a
 * DockerfileError located at the offending instruction: E_EXPANSION for a global ARG or FROM that
 * does not expand, E_INSTRUCTION for an empty base name or a COPY of a URL, E_PLAN for an unknown
 * target, a bad stage index, a cycle, or a reference to a stage defined later; E_INSTRUCTION
 * also for an image name that is not a valid reference.
 */
export function planBuild(parsed: ParsedDockerfile, options: PlanOptions): BuildPlan {
  return inFile(options.file, () => plan(parsed, options));
}
