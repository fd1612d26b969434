// `tsbuild exec [-i] [-t] [-u USER] [-w DIR] [-e K=V] [--env-file F] CONTAINER COMMAND [ARG...]`:
// runs a command inside a running container (its processes, files and network), with docker
// exec's defaults. The exit status is the command's; 1 when the container is not running.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TsbuildError, UsageError } from '../../errors.js';
import { execInContainer } from '../../runner/container-exec.js';
import { ContainerStore } from '../../runner/container-store.js';
import { parseEnvFile } from '../../runner/launch-config.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

async function execEntries(parsed: ParsedFlags, io: CliIO): Promise<string[]> {
  const entries: string[] = [];
  for (const file of parsed.flags['env-file'] as string[]) entries.push(...parseEnvFile(await readFile(resolve(io.cwd, file), 'utf8')));
  return [...entries, ...(parsed.flags.env as string[])];
}

export const execCommand: Command = {
  name: 'exec',
  summary: 'Execute a command in a running container',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  stopAtFirstPositional: true,
  flags: [
    { name: 'interactive', alias: 'i', type: 'boolean', description: 'Keep STDIN open' },
    { name: 'tty', alias: 't', type: 'boolean', description: 'Allocate a pseudo-TTY' },
    { name: 'user', alias: 'u', type: 'string', value: 'USER[:GROUP]', description: 'Username or UID' },
    { name: 'workdir', alias: 'w', type: 'string', value: 'DIR', description: 'Working directory inside the container' },
    { name: 'env', alias: 'e', type: 'strings', value: 'K=V', description: 'Set environment variables' },
    { name: 'env-file', type: 'strings', value: 'FILE', description: 'Read in a file of environment variables' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const [reference, ...command] = parsed.positionals;
    if (reference === undefined || command.length === 0) throw new UsageError('"exec" requires at least 2 arguments');
    const f = parsed.flags;
    const containers = new ContainerStore(await openCliRoot(parsed, io));
    try {
      const record = await containers.find(reference);
      const options = {
        command,
        env: await execEntries(parsed, io),
        tty: f.tty === true,
        ...(f.user !== undefined ? { user: f.user as string } : {}),
        ...(f.workdir !== undefined ? { workdir: f.workdir as string } : {}),
      };
      return await execInContainer(containers, record, options, { stdout: io.stdout, stderr: io.stderr, ...(f.interactive === true ? { stdin: io.stdin } : {}) }, io.env);
    } catch (error) {
      if (!(error instanceof TsbuildError) || error instanceof UsageError) throw error;
      io.stderr.write(`Error response from daemon: ${error.message}\n`);
      return exitCodes.failure;
    }
  },
};
