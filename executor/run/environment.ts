// The environment of a RUN, on top of the stage's build env (stage-state.ts): the default PATH
// when none is set, the proxy build args (never in the cache key), secrets exposed as variables,
// and HOME when still unset (runc sets it from the user's passwd entry). Also the `k=v` list of
// the history line.
import { buildEnvOf, DEFAULT_PATH_ENV, runEnv, splitEnvEntry } from '../stage-state.js';
import type { StageState } from '../steps/types.js';

const PROXY_NAMES: ReadonlySet<string> = new Set(['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY']);

export function isProxyName(name: string): boolean {
  return PROXY_NAMES.has(name.toUpperCase());
}

export function envLookup(env: readonly string[], key: string): string | undefined {
  const entry = env.find((candidate) => splitEnvEntry(candidate).key === key);
  return entry === undefined ? undefined : splitEnvEntry(entry).value;
}

function withDefaultPath(env: readonly string[]): string[] {
  return envLookup(env, 'PATH') === undefined ? [...env, DEFAULT_PATH_ENV] : [...env];
}

/** `extra` entries replace same-named ones where they stand, or are appended. */
function withEntries(env: readonly string[], extra: readonly string[]): string[] {
  const result = [...env];
  for (const entry of extra) {
    const { key } = splitEnvEntry(entry);
    const index = result.findIndex((candidate) => splitEnvEntry(candidate).key === key);
    if (index < 0) result.push(entry);
    else result[index] = entry;
  }
  return result;
}

/**
 * The `k=v` pairs of a RUN's history line: every ARG of the stage, once, in declaration order,
 * valued from the build env when set there (a later ENV of the same name wins), else its own
 * value, else empty. A declared proxy ARG is listed too: the reference lists it.
 */
export function historyArgPairs(state: StageState): string[] {
  const env = buildEnvOf(state);
  const pairs = new Map<string, string>();
  for (const arg of state.args) pairs.set(arg.name, `${arg.name}=${envLookup(env, arg.name) ?? arg.value ?? ''}`);
  return [...pairs.values()];
}

/** The env as the cache key sees it: the build env and PATH, without any proxy variable. */
export function keyedEnv(state: StageState): string[] {
  return withDefaultPath(buildEnvOf(state)).filter((entry) => !isProxyName(splitEnvEntry(entry).key));
}

/** The build args of the history line without proxies: what the cache key sees of them. */
export function keyedBuildArgs(state: StageState): string[] {
  return historyArgPairs(state).filter((pair) => !isProxyName(splitEnvEntry(pair).key));
}

/** What the process sees: build env, proxies, PATH, `extra` (secret variables), then HOME if unset. */
export function processEnv(state: StageState, buildArgs: ReadonlyMap<string, string>, extra: readonly string[], home: string): string[] {
  const env = withEntries(withDefaultPath(runEnv(state, buildArgs)), extra);
  return envLookup(env, 'HOME') === undefined ? [...env, `HOME=${home}`] : env;
}
