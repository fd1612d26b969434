// `tsbuild export [-o FILE] CONTAINER`: the container's filesystem (image layers plus its own
// changes) as a tar on stdout or in FILE.
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { UsageError } from '../../errors.js';
import { exportContainer } from '../../runner/container-admin.js';
import { openRuntime } from '../../runner/runtime.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

export const exportCommand: Command = {
  name: 'export',
  summary: "Export a container's filesystem as a tar archive",
  usage: '[OPTIONS] CONTAINER',
  flags: [{ name: 'output', alias: 'o', type: 'string', value: 'FILE', description: 'Write to a file, instead of STDOUT' }],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 1) throw new UsageError('"export" requires exactly 1 argument');
    const runtime = await openRuntime(await openCliRoot(parsed, io));
    const record = await runtime.containers.find(parsed.positionals[0]!);
    const output = parsed.flags.output as string | undefined;
    if (output === undefined) {
      await exportContainer(runtime, record, io.stdout);
      return exitCodes.ok;
    }
    const file = createWriteStream(resolve(io.cwd, output), { mode: 0o644 });
    await exportContainer(runtime, record, file);
    file.end();
    await finished(file);
    return exitCodes.ok;
  },
};
