// All mounts of one RUN: each `--mount` prepared by its kind, plus the file of a shebang heredoc.
// Everything prepared is released after the run whatever happens (and at once if a later mount
// fails), so no secret copy, lock or opened source tree outlives the step.
import { writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { RunMount } from '../../parser/instructions/run-mount.js';
import type { SandboxMount } from '../sandbox/types.js';
import { prepareBindMount } from './bind-mount.js';
import { prepareCacheMount } from './cache-mount.js';
import type { HeredocScript } from './command-line.js';
import { absoluteTarget, makeScratchDir, type MountContext, NOTHING_TO_RELEASE, type PreparedMount, requireTarget } from './mount-types.js';
import { prepareSecretMount } from './secret-mount.js';
import { prepareSshMount, sshAuthSockEnv } from './ssh-mount.js';

export interface PreparedMounts {
  /** Parents before children (fewer path components first), so nested targets land inside. */
  readonly mounts: readonly SandboxMount[];
  /** Variables from `type=secret,env=`, and SSH_AUTH_SOCK for ssh mounts. */
  readonly env: readonly string[];
  release(): Promise<void>;
}

function prepareTmpfs(mc: MountContext, mount: RunMount): PreparedMount {
  const target = absoluteTarget(requireTarget(mount.target, 'tmpfs'), mc.workdir);
  const size = mount.sizeLimit !== undefined && mount.sizeLimit > 0 ? { size: mount.sizeLimit } : {};
  return { mount: { type: 'tmpfs', target, ...size }, release: NOTHING_TO_RELEASE };
}

function prepareOne(mc: MountContext, mount: RunMount, sshIndex: number): Promise<PreparedMount> | PreparedMount {
  switch (mount.type) {
    case 'bind': return prepareBindMount(mc, mount);
    case 'cache': return prepareCacheMount(mc, mount);
    case 'tmpfs': return prepareTmpfs(mc, mount);
    case 'secret': return prepareSecretMount(mc, mount);
    case 'ssh': return prepareSshMount(mc, mount, sshIndex);
  }
}

/** A shebang heredoc as an executable, read-only file at `<dir>/<name>`. */
async function prepareScript(mc: MountContext, script: HeredocScript, dir: string): Promise<PreparedMount> {
  const scratch = await makeScratchDir(mc.step.stateDir, 'heredoc');
  const path = posix.join(scratch.dir, 'script');
  await writeFile(path, script.data, { mode: 0o755, flag: 'wx' });
  return { mount: { type: 'bind', source: path, target: posix.join(dir, script.name), readonly: true }, release: scratch.remove };
}

function depth(mount: SandboxMount): number {
  return mount.target.split('/').filter(Boolean).length;
}

export async function prepareRunMounts(mc: MountContext, mounts: readonly RunMount[], script?: { script: HeredocScript; dir: string }): Promise<PreparedMounts> {
  const prepared: PreparedMount[] = [];
  const release = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const item of prepared.reverse()) await item.release().catch((error: unknown) => errors.push(error));
    prepared.length = 0;
    if (errors.length > 0) throw errors[0];
  };
  try {
    const sshMounts = mounts.filter((mount) => mount.type === 'ssh');
    for (const mount of mounts) prepared.push(await prepareOne(mc, mount, sshMounts.indexOf(mount)));
    if (script !== undefined) prepared.push(await prepareScript(mc, script.script, script.dir));
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
  const sandboxMounts = prepared.flatMap((item) => (item.mount === undefined ? [] : [item.mount]));
  return {
    mounts: sandboxMounts.map((mount, index) => ({ mount, index })).sort((a, b) => depth(a.mount) - depth(b.mount) || a.index - b.index).map(({ mount }) => mount),
    env: [...sshAuthSockEnv(mounts, mc.workdir), ...prepared.flatMap((item) => item.env ?? [])],
    release,
  };
}
