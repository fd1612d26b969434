// `tsbuild start [-a] [-i] CONTAINER...`: runs stopped containers again on the same filesystem
// (their writes are kept). Without -a each one runs under a detached monitor and its name is
// printed; with -a (one container) its output is streamed and the exit status is the process's.
import { UsageError } from '../../errors.js';
import { isRunning } from '../../runner/container-admin.js';
import { startStopped } from '../../runner/container-lifecycle.js';
import { openRuntime } from '../../runner/runtime.js';
import type { CliIO, Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';
import { forEachContainer } from './container-each.js';
import { runForeground } from './run.js';

async function startAttached(parsed: ParsedFlags, io: CliIO): Promise<number> {
  if (parsed.positionals.length !== 1) throw new UsageError('you cannot start and attach multiple containers at once');
  const runtime = await openRuntime(await openCliRoot(parsed, io));
  const record = await runtime.containers.find(parsed.positionals[0]!);
  if (isRunning(record)) throw new UsageError(`container ${record.Id} is already running: attaching to a running container is not supported`);
  return runForeground(parsed, io, runtime, record.Id);
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'attach', alias: 'a', type: 'boolean', description: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'interactive', alias: 'i', type: 'boolean', description: "Attach container's STDIN" },
  ],
  run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.flags.attach === true) return startAttached(parsed, io);
    return forEachContainer('start', parsed, io, (runtime, record, root) => startStopped(runtime, root, record));
  },
};
