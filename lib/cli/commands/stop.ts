// `tsbuild stop [-s SIGNAL] [-t N] CONTAINER...`: the container's stop signal (its image's
// STOPSIGNAL or --stop-signal, SIGTERM by default), then SIGKILL after N seconds (its
// --stop-timeout, 10 by default).
import { stopContainer } from '../../runner/container-lifecycle.js';
import type { CliIO, Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { forEachContainer, stopFlags, stopOptionsOf } from './container-each.js';

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop one or more running containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  flags: stopFlags,
  run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const options = stopOptionsOf(parsed); // a bad -t is a usage error before any container is touched
    return forEachContainer('stop', parsed, io, (runtime, record) => stopContainer(runtime, record, options));
  },
};
