// `exec`: one more process inside a running container, in all its namespaces (it sees the
// container's processes, files, hostname and network), with Docker's defaults: the container's
// user, working directory and environment unless -u, -w or -e say otherwise, and HOME from the
// user's passwd entry when the environment has none.
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { enterSandbox, type EnterSpec } from '../../executor/sandbox/enter-sandbox.js';
import { homeDirectory, resolveUserSpec } from '../../executor/users.js';
import { TsbuildError } from '../errors.js';
import { isRunning } from './container-admin.js';
import type { ContainerRecord, ContainerStore } from './container-store.js';
import { execEnv } from './launch-config.js';

export interface ExecOptions {
  readonly command: readonly string[];
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workdir?: string;
  readonly tty?: boolean;
}

export interface ExecIO {
  readonly stdin?: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** What the process runs with; `rootfs` is the container's mounted filesystem on the host. */
export async function execSpec(record: ContainerRecord, rootfs: string, options: ExecOptions, callerEnv: Readonly<Record<string, string | undefined>> = {}): Promise<EnterSpec> {
  if (options.command.length === 0) throw new TsbuildError('E_USAGE', 'no command specified');
  const user = await resolveUserSpec(rootfs, options.user ?? record.Config.user);
  const env = execEnv(record.Config.env, options.env ?? [], options.tty === true, callerEnv);
  if (!env.some((entry) => entry.startsWith('HOME='))) env.push(`HOME=${await homeDirectory(rootfs, user.uid)}`);
  return { args: options.command, env, cwd: options.workdir ?? record.Config.cwd, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids };
}

/** Runs the command to its end; the status is its exit status (126/127 when it cannot be run). */
export async function execInContainer(containers: ContainerStore, record: ContainerRecord, options: ExecOptions, io: ExecIO, callerEnv: Readonly<Record<string, string | undefined>> = {}, signal?: AbortSignal): Promise<number> {
  if (!isRunning(record) || record.State.Pid <= 0) throw new TsbuildError('E_USAGE', `container ${record.Id} is not running`);
  const spec = await execSpec(record, join(containers.paths(record.Id).mnt, 'merged'), options, callerEnv);
  const stdio = { stdout: io.stdout, stderr: io.stderr, tty: options.tty === true, ...(io.stdin ? { stdin: io.stdin } : {}) };
  return (await enterSandbox(record.State.Pid, spec, stdio, signal)).exitCode;
}
