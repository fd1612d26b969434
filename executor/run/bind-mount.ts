// RUN --mount=type=bind: a folder or file of the build context or of another stage/image. The
// `source` path is resolved inside that tree (symlinks re-rooted, `..` clamped at its root), so a
// link to `/` in a stage never exposes the host (buildah CVE-2024-1753). Read-only by default;
// `rw` gets a throwaway copy whose changes are dropped after the run, as BuildKit does.
import { posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import type { RunMount } from '../../parser/instructions/run-mount.js';
import { runHostCommand } from '../snapshot/host-command.js';
import { InRoot } from '../snapshot/in-root.js';
import type { SourceTree } from '../steps/types.js';
import { absoluteTarget, makeScratchDir, type MountContext, type PreparedMount, requireTarget } from './mount-types.js';

/** The host path of `source` inside `root`; BuildKit's `"/x": not found` when it is missing. */
export async function resolveSourcePath(root: string, source: string): Promise<string> {
  const tree = await InRoot.open(root);
  const { existing, missing } = await tree.resolve(source, true);
  if (missing.length > 0) throw new TsbuildError('E_STEP', `"${posix.normalize(`/${source}`)}": not found`);
  return tree.hostPath(existing);
}

/** A private copy of a folder or file (owners, modes and links kept) for a writable bind. */
async function throwawayCopy(mc: MountContext, host: string): Promise<{ path: string; remove(): Promise<void> }> {
  const scratch = await makeScratchDir(mc.step.stateDir, 'bind-rw');
  const path = posix.join(scratch.dir, 'copy');
  try {
    await runHostCommand('cp', ['-a', '--', host, path]);
  } catch (error) {
    await scratch.remove();
    throw error;
  }
  return { path, remove: scratch.remove };
}

export async function prepareBindMount(mc: MountContext, mount: RunMount): Promise<PreparedMount> {
  const target = absoluteTarget(requireTarget(mount.target, 'bind'), mc.workdir);
  const tree: SourceTree | undefined = mount.from === undefined ? undefined : await mc.openFrom(mount.from);
  try {
    const host = await resolveSourcePath(tree?.dir ?? mc.step.contextDir, mount.source ?? '/');
    if (mount.readOnly) {
      return { mount: { type: 'bind', source: host, target, readonly: true }, release: async () => tree?.release() };
    }
    const copy = await throwawayCopy(mc, host);
    const release = async (): Promise<void> => {
      await copy.remove();
      await tree?.release();
    };
    return { mount: { type: 'bind', source: copy.path, target, readonly: false }, release };
  } catch (error) {
    await tree?.release();
    throw error;
  }
}
