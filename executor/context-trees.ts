// The build contexts steps read files from: the main context and `--build-context NAME=DIR`
// folders. Each has its own .dockerignore (BuildKit reads one at the root of every local named
// context), so steps ask here which paths are visible instead of copying the bare folder.
import type { SourceTree } from './steps/types.js';

export interface ContextTrees {
  /** The host folder of the local named context `name`; undefined when `name` is not one. */
  folder(name: string): string | undefined;
  /**
   * False for a path (relative to the context's root, no leading slash) that the context's
   * .dockerignore excludes; `name` undefined is the main context.
   */
  visible(name: string | undefined, path: string): boolean;
}

/** What the scheduler passes in dispatch and step contexts (absent in unit harnesses). */
export interface ContextTreeExtras {
  readonly contextTrees?: ContextTrees;
}

/** True when `from` (COPY --from, mount from=) names a local folder context rather than a stage or image. */
export function isLocalContext(extras: ContextTreeExtras, from: string): boolean {
  return extras.contextTrees?.folder(from) !== undefined;
}

/** A named folder as a source tree: nothing to prepare or release, it is read in place. */
export function localContextTree(extras: ContextTreeExtras, name: string): SourceTree {
  const dir = extras.contextTrees?.folder(name);
  if (dir === undefined) throw new Error(`no build context named ${name}`);
  return { dir, release: async () => undefined };
}

/** The visibility test for copying from a context: `name` undefined is the main one. */
export function contextVisibility(extras: ContextTreeExtras, name?: string): ((path: string) => boolean) | undefined {
  const trees = extras.contextTrees;
  return trees && ((path: string) => trees.visible(name, path));
}
