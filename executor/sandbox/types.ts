// The sandbox contract: run one process on a prepared rootfs, isolated from the host.
// RunSpec is a small subset of the OCI runtime spec; everything else about isolation (namespaces,
// capabilities, masked paths, limits) is the sandbox's fixed policy, not something a caller tunes.
import type { Readable, Writable } from 'node:stream';

/** `default` is the host's network, like `docker build` without a bridge; `none` is a fresh netns with only `lo`. */
export type NetworkMode = 'default' | 'none' | 'host';

/** A host directory or file bound into the rootfs. `source` must already be resolved by the caller. */
export interface BindMount {
  readonly type: 'bind';
  /** Absolute host path (a cache dir, another stage's snapshot, a secret file...). */
  readonly source: string;
  /** Absolute path inside the rootfs; resolved inside the root, never on the host. */
  readonly target: string;
  readonly readonly?: boolean;
}

/** A fresh tmpfs, private to this run. */
export interface TmpfsMount {
  readonly type: 'tmpfs';
  readonly target: string;
  /** Size limit in bytes (the kernel's default, half of RAM, when absent). */
  readonly size?: number;
}

export type SandboxMount = BindMount | TmpfsMount;

export interface ExtraHost {
  readonly name: string;
  readonly ip: string;
}

export interface RunSpec {
  /** An already-prepared directory (an overlay mount or a plain folder); the sandbox never creates layers. */
  readonly rootfs: string;
  /** argv; argv[0] is resolved with PATH from `env` inside the rootfs, like runc. */
  readonly args: readonly string[];
  /** KEY=VALUE entries, exactly what the process sees. */
  readonly env: readonly string[];
  /** Absolute, inside the rootfs; created (owned by uid:gid) when missing, like BuildKit and runc. */
  readonly cwd: string;
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
  readonly hostname: string;
  readonly network: NetworkMode;
  readonly mounts: readonly SandboxMount[];
  readonly extraHosts?: readonly ExtraHost[];
  readonly readonlyRootfs?: boolean;
}

export interface Stdio {
  /** Absent or 'ignore' gives the process /dev/null, as a build step gets. */
  readonly stdin?: Readable | 'ignore';
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Run on a pseudo-terminal (stdout and stderr merge into `stdout`), like `docker run -t`. */
  readonly tty?: boolean;
}

export interface RunResult {
  /** The process's exit status; 128+N when it was killed by signal N (what BuildKit reports). */
  readonly exitCode: number;
  /** Set when the sandbox itself was ended by a signal the host sent. */
  readonly signal?: string;
}

export interface Sandbox {
  /**
   * Runs `spec.args` to completion. Resolves with the exit status (non-zero is not an error here:
   * the caller decides what a failed step means). Rejects with `E_ABORTED` when `signal` fires and
   * with `E_STEP` when the sandbox could not be set up; nothing is left behind in either case.
   */
  run(spec: RunSpec, io: Stdio, signal?: AbortSignal): Promise<RunResult>;
}
