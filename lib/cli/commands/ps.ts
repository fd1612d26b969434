// `tsbuild ps [-a] [-q] [--no-trunc]`: containers in Docker's columns; STATUS shows health.
import { dockerTable, humanDuration } from './images.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';
import { isRunning } from '../../runner/container-admin.js';
import { ContainerStore, type ContainerRecord } from '../../runner/container-store.js';
import { portsColumn } from '../../runner/port-spec.js';

/** "Up 5 seconds (healthy)", "Exited (0) 3 seconds ago", "Created". */
export function statusText(record: ContainerRecord, now: number): string {
  if (isRunning(record)) {
    const health = record.State.Health ? ` (${record.State.Health.Status === 'starting' ? 'health: starting' : record.State.Health.Status})` : '';
    return `Up ${humanDuration(now - Date.parse(record.State.StartedAt))}${health}`;
  }
  if (record.State.Status === 'created') return 'Created';
  const finished = Date.parse(record.State.FinishedAt);
  const ago = Number.isNaN(finished) || finished <= 0 ? '' : ` ${humanDuration(now - finished)} ago`;
  return `Exited (${record.State.Running ? 255 : record.State.ExitCode})${ago}`;
}

function commandText(record: ContainerRecord, noTrunc: boolean): string {
  const text = record.Config.args.join(' ');
  const shown = noTrunc || text.length <= 20 ? text : `${text.slice(0, 19)}…`;
  return `"${shown}"`;
}

export const psCommand: Command = {
  name: 'ps',
  summary: 'List containers',
  usage: '[OPTIONS]',
  flags: [
    { name: 'all', alias: 'a', type: 'boolean', description: 'Show all containers (default shows just running)' },
    { name: 'quiet', alias: 'q', type: 'boolean', description: 'Only display container IDs' },
    { name: 'no-trunc', type: 'boolean', description: "Don't truncate output" },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const containers = new ContainerStore(await openCliRoot(parsed, io));
    const noTrunc = parsed.flags['no-trunc'] === true;
    const shown = (await containers.list()).filter((record) => parsed.flags.all === true || isRunning(record));
    const id = (record: ContainerRecord): string => (noTrunc ? record.Id : record.Id.slice(0, 12));
    if (parsed.flags.quiet === true) {
      io.stdout.write(shown.map((record) => `${id(record)}\n`).join(''));
      return exitCodes.ok;
    }
    const now = Date.now();
    const rows = shown.map((record) => [id(record), record.ImageRef, commandText(record, noTrunc), `${humanDuration(now - Date.parse(record.Created))} ago`, statusText(record, now), isRunning(record) ? portsColumn(record.State.Ports ?? []) : '', record.Name]);
    io.stdout.write(dockerTable([['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], ...rows]));
    return exitCodes.ok;
  },
};
