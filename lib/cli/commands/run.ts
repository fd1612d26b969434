// `tsbuild run [OPTIONS] IMAGE [COMMAND] [ARG...]`: creates a container from an image and runs it
// in the build sandbox, with docker run's flags. The exit status is the process's (125 when the
// runner failed, 126/127 when the command cannot be executed or found). Ctrl-C or SIGTERM stops the
// container with its stop signal, then SIGKILL after --stop-timeout. Options after IMAGE belong to
// the command: put `--` before a command that has its own dashes (`run IMG -- ls -l`).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TsbuildError, UsageError } from '../../errors.js';
import type { HealthState } from '../../runner/container-store.js';
import { startDetached } from '../../runner/detached.js';
import { HOST_NETWORK_PORTS_WARNING } from '../../runner/container-ports.js';
import { parsePortSpec } from '../../runner/port-spec.js';
import { parseEnvFile, parseVolume, type HealthOverrides, type RunNetwork } from '../../runner/launch-config.js';
import { createContainer, RUNNER_ERROR_STATUS, startContainer, type CreateOptions } from '../../runner/run-container.js';
import { openRuntime } from '../../runner/runtime.js';
import type { CliIO, Command } from '../command.js';
import type { FlagSpec, ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

const flags: readonly FlagSpec[] = [
  { name: 'rm', type: 'boolean', description: 'Automatically remove the container when it exits' },
  { name: 'detach', alias: 'd', type: 'boolean', description: 'Run container in background and print container ID' },
  { name: 'interactive', alias: 'i', type: 'boolean', description: 'Keep STDIN open' },
  { name: 'tty', alias: 't', type: 'boolean', description: 'Allocate a pseudo-TTY' },
  { name: 'name', type: 'string', value: 'NAME', description: 'Assign a name to the container' },
  { name: 'env', alias: 'e', type: 'strings', value: 'K=V', description: 'Set environment variables' },
  { name: 'env-file', type: 'strings', value: 'FILE', description: 'Read in a file of environment variables' },
  { name: 'user', alias: 'u', type: 'string', value: 'USER[:GROUP]', description: 'Username or UID' },
  { name: 'workdir', alias: 'w', type: 'string', value: 'DIR', description: 'Working directory inside the container' },
  { name: 'entrypoint', type: 'string', value: 'CMD', description: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'network', type: 'string', value: 'MODE', choices: ['default', 'host', 'none'], description: 'Network mode (default and host share the host network)' },
  { name: 'volume', alias: 'v', type: 'strings', value: 'HOST:CTR[:ro]', description: 'Bind mount a host folder' },
  { name: 'publish', alias: 'p', type: 'strings', value: '[IP:][HOST:]CTR[/udp]', description: "Publish a container's port to the host (a relay when HOST differs from CTR)" },
  { name: 'health-cmd', type: 'string', value: 'CMD', description: 'Command to run to check health' },
  { name: 'health-interval', type: 'string', value: 'DURATION', description: 'Time between running the check' },
  { name: 'health-timeout', type: 'string', value: 'DURATION', description: 'Maximum time to allow one check to run' },
  { name: 'health-start-period', type: 'string', value: 'DURATION', description: 'Start period for the container to initialize' },
  { name: 'health-start-interval', type: 'string', value: 'DURATION', description: 'Time between checks during the start period' },
  { name: 'health-retries', type: 'string', value: 'N', description: 'Consecutive failures needed to report unhealthy' },
  { name: 'no-healthcheck', type: 'boolean', description: 'Disable any container-specified HEALTHCHECK' },
  { name: 'health-log', type: 'boolean', description: 'Print health status changes to stderr' },
  { name: 'stop-signal', type: 'string', value: 'SIGNAL', description: 'Signal to stop the container' },
  { name: 'stop-timeout', type: 'string', value: 'SECONDS', description: 'Timeout to stop a container before killing it' },
];

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`invalid argument "${value}" for "--${flag}" flag: not an integer`);
  return Number(value);
}

function healthOverrides(f: ParsedFlags['flags']): HealthOverrides {
  const pick = (name: string): string | undefined => f[name] as string | undefined;
  const retries = integer('health-retries', pick('health-retries'));
  return {
    ...(pick('health-cmd') !== undefined ? { cmd: pick('health-cmd')! } : {}),
    ...(f['no-healthcheck'] === true ? { disable: true } : {}),
    ...(pick('health-interval') !== undefined ? { interval: pick('health-interval')! } : {}),
    ...(pick('health-timeout') !== undefined ? { timeout: pick('health-timeout')! } : {}),
    ...(pick('health-start-period') !== undefined ? { startPeriod: pick('health-start-period')! } : {}),
    ...(pick('health-start-interval') !== undefined ? { startInterval: pick('health-start-interval')! } : {}),
    ...(retries !== undefined ? { retries } : {}),
  };
}

async function createOptions(parsed: ParsedFlags, io: CliIO, command: string[]): Promise<CreateOptions> {
  const f = parsed.flags;
  const fileEnv: string[] = [];
  for (const file of f['env-file'] as string[]) fileEnv.push(...parseEnvFile(await readFile(resolve(io.cwd, file), 'utf8')));
  const str = (name: string): string | undefined => f[name] as string | undefined;
  const stopTimeoutSeconds = integer('stop-timeout', str('stop-timeout'));
  return {
    command,
    env: [...fileEnv, ...(f.env as string[])],
    volumes: (f.volume as string[]).map(parseVolume),
    ports: (f.publish as string[]).map(parsePortSpec),
    tty: f.tty === true,
    health: healthOverrides(f),
    autoRemove: f.rm === true,
    ...(str('entrypoint') !== undefined ? { entrypoint: str('entrypoint')! } : {}),
    ...(str('user') !== undefined ? { user: str('user')! } : {}),
    ...(str('workdir') !== undefined ? { workdir: str('workdir')! } : {}),
    ...(str('network') !== undefined ? { network: str('network') as RunNetwork } : {}),
    ...(str('name') !== undefined ? { name: str('name')! } : {}),
    ...(str('stop-signal') !== undefined ? { stopSignal: str('stop-signal')! } : {}),
    ...(stopTimeoutSeconds !== undefined ? { stopTimeoutSeconds } : {}),
  };
}

function healthLogger(io: CliIO): (health: HealthState, previous: HealthState) => void {
  return (health, previous) => {
    if (health.Status !== previous.Status) io.stderr.write(`health: ${previous.Status} -> ${health.Status}\n`);
  };
}

/** Runs container `id` in this process with its output on ours (also `start -a`). */
export async function runForeground(parsed: ParsedFlags, io: CliIO, runtime: Awaited<ReturnType<typeof openRuntime>>, id: string): Promise<number> {
  const running = await startContainer(runtime, id, {
    stdout: io.stdout,
    stderr: io.stderr,
    ...(parsed.flags.interactive === true ? { stdin: io.stdin } : {}),
    ...(parsed.flags['health-log'] === true ? { onHealth: healthLogger(io) } : {}),
  });
  const stop = (): void => void running.stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await running.exited;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Create and run a new container from an image',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  flags,
  stopAtFirstPositional: true,
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const [image, ...command] = parsed.positionals;
    if (image === undefined) throw new UsageError('"run" requires at least 1 argument');
    try {
      const layout = await openCliRoot(parsed, io);
      const runtime = await openRuntime(layout);
      const options = await createOptions(parsed, io, command);
      if (options.network === 'host' && (options.ports ?? []).length > 0) io.stderr.write(`${HOST_NETWORK_PORTS_WARNING}\n`);
      const record = await createContainer(runtime, image, options, io.env);
      if (parsed.flags.detach === true) {
        await startDetached(layout.root, runtime.containers, record.Id);
        io.stdout.write(`${record.Id}\n`);
        return 0;
      }
      return await runForeground(parsed, io, runtime, record.Id);
    } catch (error) {
      // Docker reports every failure of its own (bad options, missing image, setup) as status 125.
      if (!(error instanceof TsbuildError)) throw error;
      io.stderr.write(`tsbuild: ${error.message}\n`);
      return RUNNER_ERROR_STATUS;
    }
  },
};
