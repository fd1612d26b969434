// RUN --mount=type=ssh: the SSH agent named by the build's `--ssh` (id → host agent socket) shown
// to the process as a unix socket, as BuildKit does: default id `default`, default target
// /run/buildkit/ssh_agent.<N> (N counts the step's ssh mounts), mode 0600 owned by uid:gid (0:0),
// and SSH_AUTH_SOCK pointing at the step's first ssh mount unless the stage's env sets it.
// The socket in the sandbox is a proxy we own (so its mode and owner are the mount's, never the
// host agent's), forwarding each connection to the agent; it is closed when the step ends.
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import type { RunMount } from '../../parser/instructions/run-mount.js';
import type { StepContext } from '../steps/types.js';
import { absoluteTarget, makeScratchDir, type MountContext, NOTHING_TO_RELEASE, type PreparedMount } from './mount-types.js';

/** What the build passes in the step context (the scheduler's step extras): `--ssh` agents. */
export interface SshAgentExtras {
  /** SSH id → the host path of an agent socket. */
  readonly sshAgents?: ReadonlyMap<string, string>;
}

export function sshId(mount: RunMount): string {
  return mount.id === undefined || mount.id === '' ? 'default' : mount.id;
}

/** The container path of the `index`-th ssh mount of a step. */
export function sshTarget(mount: RunMount, index: number, workdir: string): string {
  return mount.target === undefined || mount.target === '' ? `/run/buildkit/ssh_agent.${index}` : absoluteTarget(mount.target, workdir);
}

/** `SSH_AUTH_SOCK=<first ssh target>` for a step with ssh mounts, unless the env already names one. */
export function sshAuthSockEnv(mounts: readonly RunMount[], workdir: string): string[] {
  const first = mounts.find((mount) => mount.type === 'ssh');
  return first === undefined ? [] : [`SSH_AUTH_SOCK=${sshTarget(first, 0, workdir)}`];
}

export async function prepareSshMount(mc: MountContext, mount: RunMount, index: number): Promise<PreparedMount> {
  const id = sshId(mount);
  const agent = (mc.step as StepContext & SshAgentExtras).sshAgents?.get(id);
  if (agent === undefined) {
    if (mount.required) throw new TsbuildError('E_STEP', `no SSH key ${JSON.stringify(id)} forwarded from the client (use --ssh ${id === 'default' ? 'default' : `${id}=SOCKET`})`);
    return { release: NOTHING_TO_RELEASE };
  }
  const scratch = await socketDir(mc.step.stateDir);
  try {
    const socket = posix.join(scratch.dir, 'agent.sock');
    const proxy = await listenProxy(socket, agent);
    await chmod(socket, mount.mode ?? 0o600);
    if (process.getuid?.() === 0) await chown(socket, mount.uid ?? 0, mount.gid ?? 0);
    const release = async (): Promise<void> => {
      await proxy.close();
      await scratch.remove();
    };
    return { mount: { type: 'bind', source: socket, target: sshTarget(mount, index, mc.workdir), readonly: false }, release };
  } catch (error) {
    await scratch.remove();
    throw error;
  }
}

/**
 * A private folder for the proxy socket: under the state folder when the path fits a unix socket
 * address (108 bytes), else a fresh 0700 folder in the temp dir (it holds no secret bytes).
 */
async function socketDir(stateDir: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const scratch = await makeScratchDir(stateDir, 'ssh');
  if (Buffer.byteLength(posix.join(scratch.dir, 'agent.sock')) < 100) return scratch;
  await scratch.remove();
  const dir = await mkdtemp(posix.join(tmpdir(), 'tsbuild-ssh-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A unix socket at `path` whose every connection is piped to the agent socket. */
async function listenProxy(path: string, agent: string): Promise<{ close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(agent);
    open.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
