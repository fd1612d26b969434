// `tsbuild logs CONTAINER`: what the container's process wrote (stdout and stderr together, in
// the order they arrived).
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../../errors.js';
import { ContainerStore } from '../../runner/container-store.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

export const logsCommand: Command = {
  name: 'logs',
  summary: 'Fetch the logs of a container',
  usage: 'CONTAINER',
  flags: [],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 1) throw new UsageError('"logs" requires exactly 1 argument');
    const containers = new ContainerStore(await openCliRoot(parsed, io));
    const record = await containers.find(parsed.positionals[0]!);
    const log = containers.paths(record.Id).log;
    if (await access(log).then(() => true, () => false)) await pipeline(createReadStream(log), io.stdout, { end: false });
    return exitCodes.ok;
  },
};
