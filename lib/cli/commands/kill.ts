// `tsbuild kill [-s SIGNAL] CONTAINER...`: a signal (SIGKILL by default) to each container's first process.
import { killContainer } from '../../runner/container-lifecycle.js';
import type { CliIO, Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { forEachContainer } from './container-each.js';

export const killCommand: Command = {
  name: 'kill',
  summary: 'Kill one or more running containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  flags: [{ name: 'signal', alias: 's', type: 'string', value: 'SIGNAL', description: 'Signal to send to the container (default KILL)' }],
  run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const signal = (parsed.flags.signal as string | undefined) ?? 'SIGKILL';
    return forEachContainer('kill', parsed, io, (runtime, record) => killContainer(runtime, record, signal));
  },
};
