// What COPY and ADD share as steps: BuildKit 0.13's history text, the destination against
// WORKDIR, the source of `--from`, the owner from --chown and the run of the copy engine.
import type { Json } from '../../cache/cache-key.js';
import type { HeredocSource } from '../../parser/instructions/copy-sources.js';
import { resolveChown } from '../users.js';
import type { StageState, StepContext, StepInput } from '../steps/types.js';
import { parseChmod } from './chmod.js';
import { resolveDest, TreeCopier, type CopyOptions } from './copy-tree.js';

/** The fields of COPY and ADD the engine reads. */
export interface CopyLike {
  readonly sources: readonly string[];
  readonly heredocSources: readonly HeredocSource[];
  readonly dest: string;
  readonly chown?: string;
  readonly chmod?: string;
  readonly link: boolean;
  readonly exclude: readonly string[];
  readonly parents?: boolean;
}

/** `COPY --chown=.. --chmod=.. src... <<EOF dest`: BuildKit leaves --from, --link and other flags out. */
export function copyHistoryText(keyword: 'COPY' | 'ADD', ins: CopyLike): string {
  const words: string[] = [keyword];
  if (ins.chown !== undefined && ins.chown !== '') words.push(`--chown=${ins.chown}`);
  if (ins.chmod !== undefined && ins.chmod !== '') words.push(`--chmod=${ins.chmod}`);
  words.push(...ins.sources, ...ins.heredocSources.map((source) => `<<${source.path}`), ins.dest);
  return `${words.join(' ')} # buildkit`;
}

/** What the scheduler passes in the dispatch and step contexts to name stages (absent in unit harnesses). */
export interface StageNames {
  readonly stageIndexOf?: (name: string) => number | undefined;
}

/**
 * `--from`: a stage index, a stage name (looked up case-insensitively by the scheduler's
 * `stageIndexOf`, as BuildKit does), else an image reference.
 */
export function fromInput(from: string, names: StageNames = {}): Exclude<StepInput, { source: 'context' | 'url' }> {
  if (/^\d+$/.test(from)) return { source: 'stage', stageIndex: Number(from) };
  const index = names.stageIndexOf?.(from);
  return index === undefined ? { source: 'image', ref: from } : { source: 'stage', stageIndex: index };
}

/** The op part of the cache key: everything but the source contents, which are inputs. */
export function copyOp(state: StageState, ins: CopyLike): Record<string, Json> {
  return {
    sources: [...ins.sources],
    heredocs: ins.heredocSources.map((source) => ({ path: source.path, data: source.data })),
    dest: ins.dest,
    workdir: state.config.WorkingDir ?? '',
    chown: ins.chown ?? '',
    chmod: ins.chmod ?? '',
    exclude: [...ins.exclude],
    parents: ins.parents ?? false,
  };
}

/**
 * Refused before touching anything: a bad --chmod. Several sources with a destination not ending
 * in `/` are NOT refused by the reference BuildKit 0.13: each is written to the same path in turn.
 */
export function checkDest(ins: CopyLike): void {
  if (ins.chmod !== undefined && ins.chmod !== '') parseChmod(ins.chmod);
}

/** Engine options: the owner is resolved in the destination rootfs (names via its passwd/group). */
export async function copyOptions(ctx: StepContext, ins: CopyLike): Promise<CopyOptions> {
  const owner = ins.chown !== undefined && ins.chown !== '' ? await resolveChown(ctx.rootfs, ins.chown) : undefined;
  return {
    ...(owner ? { owner } : {}),
    ...(ins.chmod !== undefined && ins.chmod !== '' ? { chmod: parseChmod(ins.chmod) } : {}),
    exclude: ins.exclude,
    parents: ins.parents ?? false,
  };
}

/** Copies `sources` from `treeDir` (another stage or image when `fromTree`) and the heredoc files to the destination. */
export async function runCopy(ctx: StepContext, state: StageState, ins: CopyLike, treeDir: string, sources: readonly string[], fromTree = false, visible?: (path: string) => boolean): Promise<void> {
  checkDest(ins);
  const { path, isDir } = resolveDest(ins.dest, state.config.WorkingDir);
  const copier = await TreeCopier.open(ctx.rootfs, { ...(await copyOptions(ctx, ins)), keepSourceOwners: fromTree, ...(visible ? { visible } : {}) });
  if (sources.length > 0) await copier.copySources(treeDir, sources, path, isDir);
  if (ins.heredocSources.length > 0) await copier.writeInline(ins.heredocSources.map((s) => ({ name: s.path, data: s.data })), path, isDir);
}
