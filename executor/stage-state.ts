// The state a stage starts from, and the environments derived from it. BuildKit keeps two
// environments apart: the image config's Env (what `docker run` sees; ENV edits it in place) and
// the build state's env (what `$VAR` expansion and RUN see; ENV and ARGs with values are moved to
// its end as they are set, so a later `ARG X` shadows an earlier `ENV X`).
import type { VariableEnv } from '../parser/shell-words.js';
import type { LayerRef } from '../cache/key-index.js';
import type { ContainerConfig, HistoryEntry, Platform } from './image-config.js';
import type { StageState } from './steps/types.js';

/** BuildKit's default PATH on Linux: added to every stage whose base config sets none. */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The key of a stage that starts from nothing (`FROM scratch`). */
export const SCRATCH_KEY = 'scratch';

/** What a stage starts from: an image's config and layers, another stage's final state, or scratch. */
export interface StageBase {
  readonly config: ContainerConfig;
  readonly layers: readonly LayerRef[];
  readonly history: readonly HistoryEntry[];
  /** The base image's manifest digest, `scratch`, or the parent stage's final key. */
  readonly key: string;
  /** A parent stage's build env (BuildKit carries the whole build state over, ARG values included). */
  readonly buildEnv?: readonly string[];
  readonly author?: string;
}

export interface InitialStateOptions {
  readonly stageIndex: number;
  readonly base: StageBase;
  readonly platform: Platform;
}

/** `FROM scratch`: what BuildKit's empty image holds (no layers, `/` as the working directory). */
export function scratchBase(): StageBase {
  return { config: {}, layers: [], history: [], key: SCRATCH_KEY };
}

/** `KEY=value` split at the first `=` (a bare `KEY` has an empty value, as in BuildKit). */
export function splitEnvEntry(entry: string): { key: string; value: string } {
  const equals = entry.indexOf('=');
  return equals < 0 ? { key: entry, value: '' } : { key: entry.slice(0, equals), value: entry.slice(equals + 1) };
}

function envKey(entry: string): string {
  return splitEnvEntry(entry).key;
}

/** The build env's AddOrReplace: the old entry goes, the new one is appended. */
export function moveEnvToEnd(env: readonly string[], key: string, value: string): string[] {
  return [...env.filter((entry) => envKey(entry) !== key), `${key}=${value}`];
}

/** The config Env's addEnv: an existing entry is replaced where it stands, a new one appended. */
export function setEnvInPlace(env: readonly string[], key: string, value: string): string[] {
  const index = env.findIndex((entry) => envKey(entry) === key);
  if (index < 0) return [...env, `${key}=${value}`];
  return env.map((entry, at) => (at === index ? `${key}=${value}` : entry));
}

function baseConfig(base: StageBase): ContainerConfig {
  // BuildKit's empty image: working directory `/` and the default PATH.
  const config = base.key === SCRATCH_KEY ? { ...base.config, WorkingDir: base.config.WorkingDir || '/' } : base.config;
  const env = config.Env ?? [];
  const withPath = env.some((entry) => envKey(entry) === 'PATH') ? env : [...env, DEFAULT_PATH_ENV];
  // Triggers run right after FROM (see onbuildTriggers); the child image does not inherit them.
  const { OnBuild: _triggers, ...rest } = config;
  return { ...rest, Env: withPath };
}

/** The state after FROM, before any ONBUILD trigger or instruction of the stage. */
export function initialState(options: InitialStateOptions): StageState {
  const { base } = options;
  const config = baseConfig(base);
  let buildEnv = [...(base.buildEnv ?? [])];
  for (const entry of config.Env ?? []) {
    const { key, value } = splitEnvEntry(entry);
    buildEnv = moveEnvToEnd(buildEnv, key, value);
  }
  return {
    stageIndex: options.stageIndex,
    config,
    args: [],
    layers: [...base.layers],
    history: [...base.history],
    key: base.key,
    platform: options.platform,
    buildEnv,
    ...(base.author !== undefined && base.author !== '' ? { author: base.author } : {}),
  };
}

/** The build env as a list, for states built by hand without one (see StageState.buildEnv). */
export function buildEnvOf(state: StageState): readonly string[] {
  if (state.buildEnv !== undefined) return state.buildEnv;
  let env = [...(state.config.Env ?? [])];
  for (const arg of state.args) if (arg.value !== undefined) env = moveEnvToEnd(env, arg.name, arg.value);
  return env;
}

/** What `$VAR` in the stage's next instruction expands against; keys in BuildKit's order. */
export function expansionEnv(state: StageState): VariableEnv {
  const entries = buildEnvOf(state).map(splitEnvEntry);
  const values = new Map(entries.map(({ key, value }) => [key, value]));
  return {
    get: (name) => values.get(name),
    keys: () => entries.map(({ key }) => key),
  };
}

const PROXY_ARGS = ['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy'] as const;

/**
 * The proxy variables a RUN gets from `--build-arg` (any case of the name), declared or not, as
 * BuildKit's exec op adds them: upper- and lower-case spelling each, after the build env. They
 * never enter the cache key or the history.
 */
export function proxyEnv(buildArgs: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const name of PROXY_ARGS) {
    let value = '';
    for (const [key, given] of buildArgs) if (key.toLowerCase() === name) value = given;
    if (value !== '') out.push(`${name.toUpperCase()}=${value}`, `${name}=${value}`);
  }
  return out;
}

/**
 * The environment of a RUN process: the build env, then the proxy variables, which win over an
 * ENV or ARG of the same name (the reference's process sees only the proxy value).
 */
export function runEnv(state: StageState, buildArgs: ReadonlyMap<string, string>): string[] {
  let env = [...buildEnvOf(state)];
  for (const entry of proxyEnv(buildArgs)) {
    const { key, value } = splitEnvEntry(entry);
    env = moveEnvToEnd(env, key, value);
  }
  return env;
}
