// What a step reads besides its state, turned into digests before the cache is consulted: the
// content digest of selected context paths, another stage's final key, an image's manifest
// digest. The key then changes exactly when what the step would read changes.
import type { Json } from '../cache/cache-key.js';
import type { BuildContext } from '../cache/context.js';
import { selectedEntries, type SelectedEntry } from '../cache/context-files.js';
import { ContextHasher, type ContextHashOptions } from '../cache/context-hash.js';
import type { StepInput } from './steps/types.js';

/** Digests of what inputs name; the scheduler provides stage keys and image digests. */
export interface InputDigests {
  context(input: Extract<StepInput, { source: 'context' }>): Promise<string>;
  /** Every selected entry with its fingerprints, asked only when the step misses (to name changed files). */
  contextFiles?(input: Extract<StepInput, { source: 'context' }>): Promise<readonly SelectedEntry[]>;
  stageKey(stageIndex: number): Promise<string>;
  imageDigest(ref: string): Promise<string>;
}

/** The `inputs` part of a cache key: one object per input, in the order the step named them. */
export async function resolveKeyInputs(inputs: readonly StepInput[] | undefined, digests: InputDigests): Promise<Json[]> {
  return Promise.all((inputs ?? []).map((input) => resolveKeyInput(input, digests)));
}

async function resolveKeyInput(input: StepInput, digests: InputDigests): Promise<Json> {
  switch (input.source) {
    case 'context':
      return {
        source: 'context',
        paths: [...input.paths],
        exclude: [...(input.exclude ?? [])],
        followPaths: input.followPaths ?? true,
        ...(input.context !== undefined ? { context: input.context } : {}),
        digest: await digests.context(input),
      };
    case 'stage':
      return { source: 'stage', key: await digests.stageKey(input.stageIndex) };
    case 'image':
      return { source: 'image', digest: await digests.imageDigest(input.ref) };
    case 'url':
      // The bytes are only known once downloaded; the step's checksum (when given) pins them.
      return { source: 'url', url: input.url, checksum: input.checksum ?? null };
  }
}

/**
 * Content digests of context selections, sharing one hasher (and its per-file memo) per context
 * per build: the main context, and `--build-context` folders by name (hashed the same way, so
 * their keys follow their contents too).
 */
export class ContextDigests {
  private readonly main: { context: BuildContext; hasher: ContextHasher };
  private readonly named = new Map<string, { context: BuildContext; hasher: ContextHasher }>();

  constructor(context: BuildContext, options: ContextHashOptions = {}, named: ReadonlyMap<string, BuildContext> = new Map()) {
    this.main = { context, hasher: new ContextHasher(context, options) };
    for (const [name, folder] of named) this.named.set(name, { context: folder, hasher: new ContextHasher(folder) });
  }

  async digest(input: Extract<StepInput, { source: 'context' }>): Promise<string> {
    return (await this.sourceOf(input).hasher.digestSources(await this.select(input))).digest;
  }

  /** The selection's entries with fingerprints; file contents come from the digest pass's memo. */
  async files(input: Extract<StepInput, { source: 'context' }>): Promise<SelectedEntry[]> {
    return selectedEntries(this.sourceOf(input).hasher, await this.select(input));
  }

  private async select(input: Extract<StepInput, { source: 'context' }>) {
    const options = { ...(input.exclude ? { exclude: input.exclude } : {}), followSymlinks: input.followPaths ?? true };
    const selected = [];
    for (const path of input.paths) selected.push(...(await this.sourceOf(input).context.select(path, options)));
    return selected;
  }

  private sourceOf(input: Extract<StepInput, { source: 'context' }>): { context: BuildContext; hasher: ContextHasher } {
    return input.context === undefined ? this.main : this.namedContext(input.context);
  }

  private namedContext(name: string): { context: BuildContext; hasher: ContextHasher } {
    const found = this.named.get(name);
    if (found === undefined) throw new Error(`no build context named ${name}`);
    return found;
  }
}
