// `--build-context NAME=DIR|docker-image://REF`: extra contexts a Dockerfile reaches by name, as in
// BuildKit. A name replaces a stage or image of that name in FROM, COPY --from and RUN --mount
// from=. An image context is an alias for the image; a folder is opened like the main context
// (walked once, with the .dockerignore at its own root), and steps hash and copy through it.
import { resolve } from 'node:path';
import { BuildContext } from '../cache/context.js';
import type { ContextTrees } from '../executor/context-trees.js';
import type { NamedContexts, NamedContextSource } from '../parser/plan.js';
import { UsageError } from './errors.js';

const IMAGE_SCHEME = 'docker-image://';

/**
 * `--build-context` values (`NAME=SOURCE`) as a name → source record, folders made absolute
 * against `cwd`; a later name wins. Bad values and unsupported sources are usage errors.
 */
export function buildContextsFrom(values: readonly string[], cwd: string): Record<string, string> {
  const contexts: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals <= 0 || equals === value.length - 1) throw new UsageError(`invalid --build-context "${value}": expected NAME=PATH or NAME=docker-image://REF`);
    contexts[value.slice(0, equals)] = value.slice(equals + 1);
  }
  const { folders } = classifyNamedContexts(contexts, cwd);
  for (const [name, folder] of folders) contexts[name] = folder;
  return contexts;
}

/** The plan's view (name → image or folder) and the folders to open, relative paths against `cwd`. */
export function classifyNamedContexts(contexts: Readonly<Record<string, string>>, cwd: string): { plan: NamedContexts; folders: Map<string, string> } {
  const plan = new Map<string, NamedContextSource>();
  const folders = new Map<string, string>();
  for (const [name, source] of Object.entries(contexts)) {
    if (source.startsWith(IMAGE_SCHEME)) {
      const ref = source.slice(IMAGE_SCHEME.length);
      if (ref === '') throw new UsageError(`build context ${name}: docker-image:// needs an image reference`);
      plan.set(name, { kind: 'image', ref });
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || source.startsWith('git@')) {
      throw new UsageError(`build context ${name}: ${source} is not supported; use a folder or docker-image://REF`);
    } else {
      plan.set(name, { kind: 'local' });
      folders.set(name, resolve(cwd, source));
    }
  }
  return { plan, folders };
}

/** Opens every folder context (its own .dockerignore applies); on failure the opened ones are disposed. */
export async function openNamedFolders(folders: ReadonlyMap<string, string>): Promise<Map<string, BuildContext>> {
  const opened = new Map<string, BuildContext>();
  try {
    for (const [name, dir] of folders) opened.set(name, await BuildContext.open(dir, { dockerfileFromStdin: true }));
  } catch (error) {
    await Promise.all([...opened.values()].map((context) => context.dispose().catch(() => undefined)));
    throw error;
  }
  return opened;
}

/** What steps read through: the main context and the named folders, each with its ignore rules. */
export function contextTreesOf(main: BuildContext, named: ReadonlyMap<string, BuildContext>): ContextTrees {
  return {
    folder: (name) => named.get(name)?.root,
    visible: (name, path) => (name === undefined ? main : named.get(name))?.entry(path) !== undefined,
  };
}
