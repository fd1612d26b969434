// `tsbuild stop [-s SIGNAL] [-t N] CONTAINER...`: the container's stop signal (its image's
// STOPSIGNAL or --stop-signal, SIGTERM by default), then SIGKILL after N seconds (its
// --stop-timeout, 10 by default).
import { stopContainer } from '../../runner/container-lifecycle.js';
import type { CliIO, Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { forEachContainer, timeoutFlag } from './container-each.js';

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop one or more running containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'signal', alias: 's', type: 'string', value: 'SIGNAL', description: 'Signal to send to the container' },
    { name: 'timeout', alias: 't', type: 'string', value: 'N', description: 'Seconds to wait before killing the container' },
  ],
  run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const timeoutSeconds = timeoutFlag(parsed.flags.timeout as string | undefined);
    const signal = parsed.flags.signal as string | undefined;
    return forEachContainer('stop', parsed, io, (runtime, record) =>
      stopContainer(runtime, record, { ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}), ...(signal !== undefined ? { signal } : {}) }),
    );
  },
};
