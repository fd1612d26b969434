// `tsbuild logs [-f] [-n N] CONTAINER`: what the container's process wrote (stdout and stderr
// together, in the order they arrived); -f goes on until the container stops.
import { UsageError } from '../../errors.js';
import { isRunning } from '../../runner/container-admin.js';
import { copyContainerLog } from '../../runner/container-logs.js';
import { ContainerStore } from '../../runner/container-store.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

export const logsCommand: Command = {
  name: 'logs',
  summary: 'Fetch the logs of a container',
  usage: '[OPTIONS] CONTAINER',
  flags: [
    { name: 'follow', alias: 'f', type: 'boolean', description: 'Follow log output (until the container stops)' },
    { name: 'tail', alias: 'n', type: 'string', value: 'N', default: 'all', description: 'Number of lines to show from the end of the logs (all: every line)' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 1) throw new UsageError('"logs" requires exactly 1 argument');
    const containers = new ContainerStore(await openCliRoot(parsed, io));
    const record = await containers.find(parsed.positionals[0]!);
    const tail = tailLines(String(parsed.flags.tail ?? 'all'));
    await copyContainerLog(containers.paths(record.Id).log, io.stdout, {
      follow: parsed.flags.follow === true,
      ...(tail !== undefined ? { tail } : {}),
      running: async () => {
        const now = await containers.read(record.Id);
        return now !== undefined && isRunning(now);
      },
    });
    return exitCodes.ok;
  },
};

/** `--tail all` (or a negative number, as docker takes it) is every line. */
function tailLines(text: string): number | undefined {
  if (text === 'all') return undefined;
  if (!/^-?\d+$/.test(text)) throw new UsageError(`invalid value "${text}" for flag --tail: expected a number or all`);
  const lines = Number(text);
  return lines < 0 ? undefined : lines;
}
