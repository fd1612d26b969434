// The stage graph: what each stage's FROM, COPY --from and RUN --mount from= name, resolved the
// way BuildKit resolves them, then checked for cycles and walked from the target.
import { DockerfileError, type SourceRange } from '../lib/errors.js';
import type { Instruction } from './instructions/index.js';
import type { Stage } from './stages.js';

/** What a stage starts from. */
export type StageBase = { readonly kind: 'scratch' } | { readonly kind: 'stage'; readonly index: number } | { readonly kind: 'image'; readonly ref: string };

/**
 * `--build-context NAME=…` sources by name: an image (`docker-image://REF`) or a local folder.
 * A named context replaces a stage or image of the same name in FROM, COPY --from and mount from=.
 */
export type NamedContextSource = { readonly kind: 'image'; readonly ref: string } | { readonly kind: 'local' };
export type NamedContexts = ReadonlyMap<string, NamedContextSource>;

/** One use of another stage or an image by an instruction. */
export interface StageReference {
  /** The value as written (`--from=build`, `from=0`). */
  readonly written: string;
  /** The stage it names, or undefined for an image or a named context. */
  readonly stage?: number;
  /** Set when `written` names a `--build-context`. */
  readonly namedContext?: NamedContextSource;
  readonly kind: 'copy' | 'mount';
  readonly instruction: Instruction;
  /** True for references made by a base stage's ONBUILD triggers. */
  readonly fromTrigger: boolean;
}

/** The resolved edges of one stage. */
export interface StageEdges {
  readonly base: StageBase;
  readonly references: readonly StageReference[];
}

const GO_INT = /^[+-]?[0-9]+$/;

/**
 * FROM names only stages defined before it (the latest one of that name), matched exactly
 * against the lower-cased stage names; `scratch` is the empty image; anything else is an image.
 */
export function resolveBase(image: string, stageIndex: number, stages: readonly Stage[], contexts: NamedContexts = new Map()): StageBase {
  const named = contexts.get(image);
  if (named?.kind === 'image') return { kind: 'image', ref: named.ref };
  if (named?.kind === 'local') throw new DockerfileError('E_PLAN', `FROM ${image}: a folder build context cannot be a base yet (use docker-image://REF, or COPY --from=${image})`, stages[stageIndex]!.from.range);
  for (let index = stageIndex - 1; index >= 0; index--) {
    if (stages[index]!.name === image) return { kind: 'stage', index };
  }
  return image === 'scratch' ? { kind: 'scratch' } : { kind: 'image', ref: image };
}

/** The last stage with this name, in any case; later duplicates shadow earlier ones. */
function stageByName(name: string, stages: readonly Stage[]): number | undefined {
  const wanted = name.toLowerCase();
  for (let index = stages.length - 1; index >= 0; index--) if (stages[index]!.name === wanted) return index;
  return undefined;
}

/** COPY --from: a number (Go's Atoi) is a stage index, else a stage name, else an image. */
function resolveCopyFrom(from: string, instruction: Instruction, stages: readonly Stage[]): number | undefined {
  if (GO_INT.test(from) && Number.isSafeInteger(Number(from))) {
    const index = Number(from);
    if (index < 0 || index >= stages.length) throw new DockerfileError('E_PLAN', `invalid stage index ${index}`, instruction.range);
    return index;
  }
  return stageByName(from, stages);
}

function referencesOf(instruction: Instruction, stages: readonly Stage[], fromTrigger: boolean, contexts: NamedContexts): StageReference[] {
  const named = (written: string, kind: 'copy' | 'mount'): StageReference | undefined => {
    const namedContext = contexts.get(written);
    return namedContext && { written, namedContext, kind, instruction, fromTrigger };
  };
  if (instruction.kind === 'COPY' && instruction.from !== undefined) {
    const context = named(instruction.from, 'copy');
    if (context) return [context];
    const stage = resolveCopyFrom(instruction.from, instruction, stages);
    return [{ written: instruction.from, ...(stage !== undefined ? { stage } : {}), kind: 'copy', instruction, fromTrigger }];
  }
  if (instruction.kind === 'RUN') {
    // Mounts name stages by name only: `from=0` is an image called 0.
    return instruction.mountSources.map((from) => {
      const context = named(from, 'mount');
      if (context) return context;
      const stage = stageByName(from, stages);
      return { written: from, ...(stage !== undefined ? { stage } : {}), kind: 'mount' as const, instruction, fromTrigger };
    });
  }
  return [];
}

/** The edges of every stage; `bases` are the expanded FROM values. Throws for a bad stage index. */
export function stageEdges(stages: readonly Stage[], bases: readonly string[], contexts: NamedContexts = new Map()): StageEdges[] {
  const edges: StageEdges[] = [];
  for (const stage of stages) {
    const base = resolveBase(bases[stage.index]!, stage.index, stages, contexts);
    const triggers = base.kind === 'stage' ? stages[base.index]!.instructions : [];
    const references = [
      // A stage built on another stage runs that stage's ONBUILD triggers first.
      ...triggers.flatMap((instruction) =>
        instruction.kind === 'ONBUILD' && instruction.trigger ? referencesOf(instruction.trigger, stages, true, contexts) : [],
      ),
      ...stage.instructions.flatMap((instruction) => referencesOf(instruction, stages, false, contexts)),
    ];
    edges.push({ base, references });
  }
  return edges;
}

/** `name` or `stage-N`, as BuildKit names stages in messages. */
export function stageLabel(stage: Stage): string {
  return stage.name ?? `stage-${stage.index}`;
}

/**
 * Fails on a cycle of COPY --from / mount references, naming the stage the search started from
 * (as BuildKit does) and pointing at the first instruction on the cycle's path.
 */
export function checkCycles(stages: readonly Stage[], edges: readonly StageEdges[]): void {
  const visited = new Set<number>();
  const onPath = new Set<number>();
  const visit = (index: number, path: readonly SourceRange[]): readonly SourceRange[] | undefined => {
    if (visited.has(index)) return undefined;
    visited.add(index);
    onPath.add(index);
    for (const reference of edges[index]!.references) {
      if (reference.stage === undefined) continue;
      const next = [...path, reference.instruction.range];
      if (onPath.has(reference.stage)) return next;
      const cycle = visit(reference.stage, next);
      if (cycle) return cycle;
    }
    onPath.delete(index);
    return undefined;
  };
  for (const stage of stages) {
    const cycle = visit(stage.index, []);
    if (cycle) throw new DockerfileError('E_PLAN', `circular dependency detected on stage: ${stageLabel(stage)}`, cycle[0]!);
  }
}

/** The stages `target` needs, itself included, in file order. */
export function reachableStages(target: number, edges: readonly StageEdges[]): number[] {
  const reached = new Set<number>();
  const pending = [target];
  while (pending.length > 0) {
    const index = pending.pop()!;
    if (reached.has(index)) continue;
    reached.add(index);
    const { base, references } = edges[index]!;
    if (base.kind === 'stage') pending.push(base.index);
    for (const reference of references) if (reference.stage !== undefined) pending.push(reference.stage);
  }
  return [...reached].sort((a, b) => a - b);
}

/** The distinct stages a stage needs (base first), in order. */
export function dependenciesOf(edges: StageEdges): number[] {
  const indexes = edges.base.kind === 'stage' ? [edges.base.index] : [];
  for (const reference of edges.references) if (reference.stage !== undefined) indexes.push(reference.stage);
  return [...new Set(indexes)];
}
