// RUN --mount=type=secret: a secret given to the build (`ctx.secrets`, id → host file) shown to
// the process as a read-only file (default /run/secrets/<id>, mode 0400, root-owned) and/or as an
// environment variable (`env=`). The file is a private copy in a 0700 scratch folder, removed
// after the run; the mount point is a stub the sandbox removes, so nothing reaches the layer.
import { chown, readFile, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import type { RunMount } from '../../parser/instructions/run-mount.js';
import { absoluteTarget, makeScratchDir, type MountContext, NOTHING_TO_RELEASE, type PreparedMount } from './mount-types.js';

/** BuildKit's id: `id=`, else `source=` (an alias for secrets), else the target's base name. */
export function secretId(mount: RunMount): string {
  const id = mount.id ?? mount.source ?? (mount.target === undefined ? undefined : posix.basename(mount.target));
  if (id === undefined || id === '') throw new TsbuildError('E_STEP', 'invalid secret mount: one of source, target required');
  return id;
}

/** Where the file goes; undefined for an env-only secret (`env=` without a target). */
export function secretTarget(mount: RunMount, workdir: string): string | undefined {
  if (mount.target !== undefined) return absoluteTarget(mount.target, workdir);
  if (mount.env !== undefined) return undefined;
  return `/run/secrets/${secretId(mount)}`;
}

async function secretFile(mc: MountContext, mount: RunMount, content: Buffer): Promise<{ path: string; remove(): Promise<void> }> {
  const scratch = await makeScratchDir(mc.step.stateDir, 'secret');
  const path = posix.join(scratch.dir, 'secret');
  try {
    await writeFile(path, content, { mode: mount.mode ?? 0o400, flag: 'wx' });
    // Only root may give the file away; rootless runs see it through their id mapping instead.
    if (process.getuid?.() === 0) await chown(path, mount.uid ?? 0, mount.gid ?? 0);
  } catch (error) {
    await scratch.remove();
    throw error;
  }
  return { path, remove: scratch.remove };
}

export async function prepareSecretMount(mc: MountContext, mount: RunMount): Promise<PreparedMount> {
  const id = secretId(mount);
  const hostFile = mc.step.secrets.get(id);
  if (hostFile === undefined) {
    if (mount.required) throw new TsbuildError('E_STEP', `secret ${id}: not found`);
    return { release: NOTHING_TO_RELEASE };
  }
  const content = await readFile(hostFile);
  const env = mount.env === undefined ? [] : [`${mount.env}=${content.toString('utf8')}`];
  const target = secretTarget(mount, mc.workdir);
  if (target === undefined) return { env, release: NOTHING_TO_RELEASE };
  const file = await secretFile(mc, mount, content);
  return { mount: { type: 'bind', source: file.path, target, readonly: true }, env, release: file.remove };
}
