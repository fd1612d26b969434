// `tsbuild rm [-f] CONTAINER...`: removes stopped containers (running ones only with -f, which
// kills them first). Each container is handled on its own, as Docker does.
import { TsbuildError, UsageError } from '../../errors.js';
import { removeContainer } from '../../runner/container-admin.js';
import { openRuntime } from '../../runner/runtime.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

export const rmCommand: Command = {
  name: 'rm',
  summary: 'Remove one or more containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  flags: [{ name: 'force', alias: 'f', type: 'boolean', description: 'Force the removal of a running container (uses SIGKILL)' }],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length === 0) throw new UsageError('"rm" requires at least 1 argument');
    const runtime = await openRuntime(await openCliRoot(parsed, io));
    let status: number = exitCodes.ok;
    for (const reference of parsed.positionals) {
      try {
        await removeContainer(runtime, await runtime.containers.find(reference), parsed.flags.force === true);
        io.stdout.write(`${reference}\n`);
      } catch (error) {
        if (!(error instanceof TsbuildError)) throw error;
        io.stderr.write(`Error response from daemon: ${error.message}\n`);
        status = exitCodes.failure;
      }
    }
    return status;
  },
};
