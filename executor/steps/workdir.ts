// WORKDIR path: relative paths join the current working directory (and are cleaned); absolute
// ones are kept exactly as written, as BuildKit 0.13 keeps them. Any directory but `/` is created
// (with its parents) owned by the stage's USER, and that step has a layer even when the directory
// already existed.
import { posix } from 'node:path';
import { withHistory } from '../dispatch-history.js';
import { InRoot } from '../snapshot/in-root.js';
import { resolveChown } from '../users.js';
import type { StageState, StepContext, StepHandler } from './types.js';

/** BuildKit's NormalizeWorkdir on Linux. */
export function resolveWorkdir(current: string | undefined, path: string): string {
  let parent = current === undefined || current === '' ? '/' : current;
  if (!parent.startsWith('/')) parent = posix.join('/', parent);
  if (path === '') return parent;
  return path.startsWith('/') ? path : posix.join(parent, path);
}

/** Whether the step writes a directory (and so a layer): everything but `/`. */
export function workdirMakesLayer(workdir: string): boolean {
  return workdir !== '/';
}

/** Creates the directory and missing parents (0755, owned as BuildKit's mkdir WithUser would). */
async function makeWorkdir(rootfs: string, workdir: string, user: string): Promise<void> {
  // BuildKit's mkdir resolves the user the way --chown does (a bare uid is also the gid).
  const owner = user === '' ? { uid: 0, gid: 0 } : await resolveChown(rootfs, user);
  const root = await InRoot.open(rootfs);
  await root.ensureDir(workdir, async () => ({ mode: 0o755, uid: owner.uid, gid: owner.gid }));
}

export const workdirHandler: StepHandler<'WORKDIR'> = {
  kind: 'WORKDIR',
  apply(state, ins) {
    const workdir = resolveWorkdir(state.config.WorkingDir, ins.path);
    const next: StageState = { ...state, config: { ...state.config, WorkingDir: workdir } };
    return withHistory(next, `WORKDIR ${workdir}`, workdirMakesLayer(workdir));
  },
  describe(state, ins) {
    return { op: { path: resolveWorkdir(state.config.WorkingDir, ins.path) } };
  },
  /** `state` is the state before the step, as for describe. */
  async execute(ctx: StepContext, state, ins) {
    const workdir = resolveWorkdir(state.config.WorkingDir, ins.path);
    if (workdirMakesLayer(workdir)) await makeWorkdir(ctx.rootfs, workdir, state.config.User ?? '');
  },
};
