// `tsbuild rm [-f] CONTAINER...`: removes stopped containers (running ones only with -f, which
// kills them first). Each container is handled on its own, as Docker does.
import { removeContainer } from '../../runner/container-admin.js';
import type { CliIO, Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { forEachContainer } from './container-each.js';

export const rmCommand: Command = {
  name: 'rm',
  summary: 'Remove one or more containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  flags: [{ name: 'force', alias: 'f', type: 'boolean', description: 'Force the removal of a running container (uses SIGKILL)' }],
  run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    return forEachContainer('rm', parsed, io, (runtime, record) => removeContainer(runtime, record, parsed.flags.force === true));
  },
};
