// `tsbuild logout [SERVER]`: forgets the stored credentials of a registry (Docker Hub by default).
import { UsageError } from '../../errors.js';
import { eraseCredentials } from '../../registry/credentials.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { registryDomain } from './login.js';

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Log out from a registry',
  usage: '[SERVER]',
  flags: [],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length > 1) throw new UsageError('"logout" requires at most 1 argument');
    const domain = registryDomain(parsed.positionals[0]);
    const shown = domain === 'docker.io' ? 'https://index.docker.io/v1/' : domain;
    if (await eraseCredentials(domain, io.env)) io.stdout.write(`Removing login credentials for ${shown}\n`);
    else io.stdout.write(`Not logged in to ${shown}\n`);
    return exitCodes.ok;
  },
};
