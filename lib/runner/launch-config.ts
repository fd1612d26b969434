// What a container runs, decided from the image config and `run`'s options before anything is
// mounted, with Docker's rules: ENTRYPOINT + CMD (arguments replace CMD; --entrypoint resets CMD),
// the environment (a default PATH and HOSTNAME first, image Env, then -e entries replacing by key),
// WORKDIR, USER, the health check (flags override the image's field by field) and the stop signal.
import { constants as osConstants } from 'node:os';
import { isAbsolute } from 'node:path';
import type { ContainerConfig, HealthConfig } from '../../executor/image-config.js';
import { parseGoDuration } from '../../parser/durations.js';
import { UsageError } from '../errors.js';
import type { PortRequest } from './port-spec.js';

/** The PATH Docker gives a Linux container whose env has none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;

export type RunNetwork = 'none' | 'host' | 'default';

export interface VolumeBind {
  readonly source: string;
  readonly target: string;
  readonly readonly: boolean;
}

/** `run`'s options, already split into values (the CLI's flags, or a library caller's). */
export interface RunOptions {
  readonly command?: readonly string[];
  /** `--entrypoint`; '' clears the image's entrypoint. */
  readonly entrypoint?: string;
  /** `-e` entries in order, after --env-file entries; `KEY` alone takes the caller's value. */
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workdir?: string;
  readonly network?: RunNetwork;
  readonly volumes?: readonly VolumeBind[];
  readonly tty?: boolean;
  readonly health?: HealthOverrides;
  readonly stopSignal?: string;
  readonly stopTimeoutSeconds?: number;
  /** `-p` requests; with --network host they are kept in the config but not published (Docker's rule). */
  readonly ports?: readonly PortRequest[];
}

/** `--health-*` flags; durations as Go duration strings. */
export interface HealthOverrides {
  readonly cmd?: string;
  readonly disable?: boolean;
  readonly interval?: string;
  readonly timeout?: string;
  readonly startPeriod?: string;
  readonly startInterval?: string;
  readonly retries?: number;
}

/** Everything needed to start the container's process; stored in the container's state. */
export interface LaunchConfig {
  readonly args: readonly string[];
  /** Without HOME: that is added once the user is resolved inside the rootfs, as runc does. */
  readonly env: readonly string[];
  readonly cwd: string;
  /** `user[:group]` to resolve in the rootfs; '' is root. */
  readonly user: string;
  readonly hostname: string;
  readonly network: RunNetwork;
  readonly volumes: readonly VolumeBind[];
  readonly tty: boolean;
  readonly healthcheck?: HealthConfig;
  readonly stopSignal: string;
  readonly stopTimeoutSeconds: number;
  /** Absent in states written before ports could be published. */
  readonly ports?: readonly PortRequest[];
  /** The ENTRYPOINT and CMD that make up `args`, for inspect (absent in older states). */
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
}

/** The container's ENTRYPOINT and CMD after run's arguments and --entrypoint (Docker's Config.Entrypoint/Cmd). */
export function entrypointAndCmd(config: ContainerConfig, options: Pick<RunOptions, 'command' | 'entrypoint'>): { entrypoint: string[]; cmd: string[] } {
  const entrypoint = options.entrypoint === undefined ? config.Entrypoint ?? [] : options.entrypoint === '' ? [] : [options.entrypoint];
  const command = options.command !== undefined && options.command.length > 0 ? options.command : options.entrypoint === undefined ? config.Cmd ?? [] : [];
  return { entrypoint: [...entrypoint], cmd: [...command] };
}

/** Docker's combination: entrypoint then command; an empty result is "no command specified". */
export function containerArgs(config: ContainerConfig, options: Pick<RunOptions, 'command' | 'entrypoint'>): string[] {
  const { entrypoint, cmd } = entrypointAndCmd(config, options);
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw new UsageError('no command specified');
  return args;
}

/** Replaces an entry with the same key in place, else appends (Docker's ReplaceOrAppendEnvValues). */
/** KEY=VALUE entries by key, in first-seen order: a later entry replaces the value in place. */
class EnvList {
  private readonly entries = new Map<string, string>();

  constructor(initial: readonly string[] = []) {
    for (const entry of initial) this.set(entry);
  }

  // A Map, not a search of an array: an image config may hold 10^5 entries (SECURITY J3).
  set(entry: string): void {
    this.entries.set(entry.split('=', 1)[0]!, entry);
  }

  list(): string[] {
    return [...this.entries.values()];
  }
}

/** `-e KEY` takes KEY's value from `callerEnv`, and is dropped when the caller has none. */
export function containerEnv(imageEnv: readonly string[], runEnv: readonly string[], hostname: string, tty: boolean, callerEnv: Readonly<Record<string, string | undefined>>): string[] {
  const merged = new EnvList(imageEnv);
  for (const entry of runEnv) {
    if (entry.includes('=')) merged.set(entry);
    else if (callerEnv[entry] !== undefined) merged.set(`${entry}=${callerEnv[entry]}`);
  }
  const env = new EnvList([`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`, ...(tty ? ['TERM=xterm'] : [])]);
  for (const entry of merged.list()) env.set(entry);
  return env.list();
}

/**
 * What `exec` gives its process, as Docker does: the container's environment, TERM=xterm with -t
 * when the container has none, then the exec's own -e entries replacing by key.
 */
export function execEnv(containerEnv: readonly string[], execEntries: readonly string[], tty: boolean, callerEnv: Readonly<Record<string, string | undefined>>): string[] {
  const env = new EnvList(containerEnv);
  if (tty && !containerEnv.some((entry) => entry.startsWith('TERM='))) env.set('TERM=xterm');
  for (const entry of execEntries) {
    if (entry.includes('=')) env.set(entry);
    else if (callerEnv[entry] !== undefined) env.set(`${entry}=${callerEnv[entry]}`);
  }
  return env.list();
}

/** `--env-file`: KEY=VALUE lines, `#` comments and blank lines skipped, `KEY` alone as with -e. */
export function parseEnvFile(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.replace(/^\s+/, '')).filter((line) => line !== '' && !line.startsWith('#'));
}

function nanoseconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = parseGoDuration(value);
    if (parsed < 0) throw new Error('negative');
    return parsed;
  } catch {
    throw new UsageError(`invalid argument "${value}" for "--${flag}" flag: not a non-negative duration`);
  }
}

/** The image's HEALTHCHECK with the flags applied; undefined when there is none or it is disabled. */
export function effectiveHealthcheck(image: HealthConfig | undefined, overrides: HealthOverrides = {}): HealthConfig | undefined {
  if (overrides.disable) {
    if (overrides.cmd !== undefined) throw new UsageError('--no-healthcheck conflicts with --health-* options');
    return undefined;
  }
  const fields: Record<string, unknown> = { ...(image ?? { Test: [] }) };
  if (overrides.cmd !== undefined) fields.Test = ['CMD-SHELL', overrides.cmd];
  const durations = { Interval: ['health-interval', overrides.interval], Timeout: ['health-timeout', overrides.timeout], StartPeriod: ['health-start-period', overrides.startPeriod], StartInterval: ['health-start-interval', overrides.startInterval] } as const;
  for (const [key, [flag, value]] of Object.entries(durations)) {
    const parsed = nanoseconds(flag, value);
    if (parsed !== undefined) fields[key] = parsed;
  }
  if (overrides.retries !== undefined) fields.Retries = overrides.retries;
  const health = fields as unknown as HealthConfig;
  if (health.Test.length === 0 || health.Test[0] === 'NONE') return undefined;
  return health;
}

/** A signal name (`SIGTERM`, `TERM`) or number, as STOPSIGNAL and --stop-signal accept; returns the SIG name. */
export function normalizeSignal(text: string): string {
  const signals = osConstants.signals as Record<string, number>;
  if (/^\d+$/.test(text)) {
    const name = Object.keys(signals).find((key) => signals[key] === Number(text));
    if (name !== undefined) return name;
  } else {
    const name = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
    if (signals[name] !== undefined) return name;
  }
  throw new UsageError(`invalid signal: ${text}`);
}

/** The whole launch config; `callerEnv` feeds `-e KEY` entries. */
export function launchConfig(config: ContainerConfig, options: RunOptions, hostname: string, callerEnv: Readonly<Record<string, string | undefined>> = {}): LaunchConfig {
  const cwd = options.workdir ?? (config.WorkingDir || '/');
  if (!isAbsolute(cwd)) throw new UsageError(`the working directory '${cwd}' is invalid, it needs to be an absolute path`);
  const tty = options.tty === true;
  const healthcheck = effectiveHealthcheck(config.Healthcheck, options.health);
  return {
    args: containerArgs(config, options),
    env: containerEnv(config.Env ?? [], options.env ?? [], hostname, tty, callerEnv),
    cwd,
    user: options.user ?? config.User ?? '',
    hostname,
    network: options.network ?? 'default',
    volumes: options.volumes ?? [],
    tty,
    ...(healthcheck ? { healthcheck } : {}),
    stopSignal: normalizeSignal(options.stopSignal ?? (config.StopSignal || 'SIGTERM')),
    stopTimeoutSeconds: options.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS,
    ports: options.ports ?? [],
    ...entrypointAndCmd(config, options),
  };
}

/** `-v HOST:CTR[:ro|rw]`: both absolute (named volumes are not supported). */
export function parseVolume(text: string): VolumeBind {
  const parts = text.split(':');
  const [source, target, mode] = parts;
  if (parts.length < 2 || parts.length > 3 || !source || !target) throw new UsageError(`invalid volume specification: '${text}'`);
  if (!isAbsolute(source)) throw new UsageError(`invalid volume specification: '${text}': only host folders (absolute paths) are supported`);
  if (!isAbsolute(target)) throw new UsageError(`invalid volume specification: '${text}': mount path must be absolute`);
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') throw new UsageError(`invalid mode: ${mode}`);
  return { source, target, readonly: mode === 'ro' };
}
