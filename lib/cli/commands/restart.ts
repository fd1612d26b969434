// `tsbuild restart [-s SIGNAL] [-t N] CONTAINER...`: stop (as `stop` does) and start again.
import { restartContainer } from '../../runner/container-lifecycle.js';
import type { CliIO, Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { forEachContainer, stopFlags, stopOptionsOf } from './container-each.js';

export const restartCommand: Command = {
  name: 'restart',
  summary: 'Restart one or more containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  flags: stopFlags,
  run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const options = stopOptionsOf(parsed); // a bad -t is a usage error before any container is touched
    return forEachContainer('restart', parsed, io, (runtime, record, root) => restartContainer(runtime, root, record, options));
  },
};
