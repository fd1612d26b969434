// `tsbuild restart [-s SIGNAL] [-t N] CONTAINER...`: stop (as `stop` does) and start again.
import { restartContainer } from '../../runner/container-lifecycle.js';
import type { CliIO, Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { forEachContainer, timeoutFlag } from './container-each.js';

export const restartCommand: Command = {
  name: 'restart',
  summary: 'Restart one or more containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'signal', alias: 's', type: 'string', value: 'SIGNAL', description: 'Signal to send to the container' },
    { name: 'timeout', alias: 't', type: 'string', value: 'N', description: 'Seconds to wait before killing the container' },
  ],
  run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const timeoutSeconds = timeoutFlag(parsed.flags.timeout as string | undefined);
    const signal = parsed.flags.signal as string | undefined;
    return forEachContainer('restart', parsed, io, (runtime, record, root) =>
      restartContainer(runtime, root, record, { ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}), ...(signal !== undefined ? { signal } : {}) }),
    );
  },
};
