// `docker import --change`: Dockerfile instructions applied to the config of an imported image.
// Each change is parsed by the Dockerfile parser (so quoting, JSON forms and flags mean what they
// mean in a Dockerfile), expanded against the image's ENV so far, and folded into the config.
// Docker accepts exactly these keywords; anything else is refused with Docker's message.
import { posix } from 'node:path';
import type { ContainerConfig, HealthConfig } from '../../executor/image-config.js';
import { expandInstruction, type Instruction } from '../../parser/instructions/index.js';
import { commandWords, type CommandLine } from '../../parser/instructions/command-line.js';
import { shellExpander } from '../../parser/instructions/expander.js';
import { exposedPorts } from '../../parser/port-spec.js';
import { envFromAssignments } from '../../parser/shell-words.js';
import { parseDockerfile } from '../../parser/stages.js';
import { DockerfileError, UsageError } from '../errors.js';

const CHANGE_KEYWORDS = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** The config after applying `changes` in order to `config`. Throws UsageError for a bad change. */
export function applyChanges(config: ContainerConfig, changes: readonly string[]): ContainerConfig {
  return changes.reduce((current, change) => applyInstruction(current, parseChange(change, current)), config);
}

function parseChange(change: string, config: ContainerConfig): Instruction {
  const keyword = /^\s*(\S+)/.exec(change)?.[1]?.toUpperCase() ?? '';
  if (!CHANGE_KEYWORDS.has(keyword)) throw new UsageError(`${keyword || JSON.stringify(change)} is not a valid change command`);
  try {
    const parsed = parseDockerfile(`FROM scratch\n${change}\n`);
    const instructions = parsed.stages[0]?.instructions ?? [];
    if (instructions.length !== 1) throw new UsageError(`--change takes one instruction, got ${JSON.stringify(change)}`);
    const expander = shellExpander(envFromAssignments(config.Env ?? []), { escapeToken: '\\' });
    return expandInstruction(instructions[0]!, expander);
  } catch (error) {
    if (error instanceof DockerfileError) throw new UsageError(`invalid --change ${JSON.stringify(change)}: ${error.message}`, { cause: error });
    throw error;
  }
}

function applyInstruction(config: ContainerConfig, ins: Instruction): ContainerConfig {
  switch (ins.kind) {
    case 'CMD': return { ...config, Cmd: shellWrapped(ins.command) };
    case 'ENTRYPOINT': return { ...config, Entrypoint: shellWrapped(ins.command) };
    case 'ENV': return { ...config, Env: withEnv(config.Env ?? [], ins.pairs) };
    case 'LABEL': return { ...config, Labels: { ...config.Labels, ...Object.fromEntries(ins.pairs.map((pair) => [pair.key, pair.value])) } };
    case 'EXPOSE': return { ...config, ExposedPorts: withKeys(config.ExposedPorts, exposedPorts(ins.ports)) };
    case 'VOLUME': return { ...config, Volumes: withKeys(config.Volumes, ins.volumes) };
    case 'USER': return { ...config, User: ins.user };
    case 'WORKDIR': return { ...config, WorkingDir: posix.resolve('/', config.WorkingDir ?? '/', ins.path) };
    case 'STOPSIGNAL': return { ...config, StopSignal: ins.signal };
    case 'ONBUILD': return { ...config, OnBuild: [...(config.OnBuild ?? []), ins.expression] };
    case 'HEALTHCHECK': return { ...config, Healthcheck: healthOf(ins) };
    default: throw new UsageError(`${ins.kind} is not a valid change command`);
  }
}

/** Shell form runs through /bin/sh -c, as docker import writes it (no ArgsEscaped). */
function shellWrapped(command: CommandLine): string[] {
  return command.form === 'exec' ? commandWords(command) : ['/bin/sh', '-c', command.text];
}

function withEnv(env: readonly string[], pairs: readonly { key: string; value: string }[]): string[] {
  const result = [...env];
  for (const { key, value } of pairs) {
    const index = result.findIndex((entry) => entry.split('=', 1)[0] === key);
    if (index === -1) result.push(`${key}=${value}`);
    else result[index] = `${key}=${value}`;
  }
  return result;
}

function withKeys(set: ContainerConfig['Volumes'], keys: readonly string[]): Record<string, Record<string, never>> {
  const result: Record<string, Record<string, never>> = { ...set };
  for (const key of keys) result[key] = {};
  return result;
}

function healthOf(ins: Extract<Instruction, { kind: 'HEALTHCHECK' }>): HealthConfig {
  if (ins.test === 'NONE') return { Test: ['NONE'] };
  const durations = { Interval: ins.interval, Timeout: ins.timeout, StartPeriod: ins.startPeriod, StartInterval: ins.startInterval, Retries: ins.retries };
  return { Test: [...ins.test], ...Object.fromEntries(Object.entries(durations).filter(([, value]) => value !== 0)) };
}
