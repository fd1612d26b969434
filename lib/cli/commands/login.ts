// `tsbuild login [-u USER] [-p PASS | --password-stdin] [SERVER]`: checks the credentials against
// the registry (GET /v2/ through its challenge) and only then stores them in the Docker config
// (or its credential helper). Without SERVER, Docker Hub.
import { UsageError } from '../../errors.js';
import { Registry } from '../../registry/client.js';
import { getCredentials, storeCredentials, type Credentials } from '../../registry/credentials.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { registryFlags, registryOptions } from './pull.js';

/** `https://registry.example/v2/` → `registry.example`; Docker Hub's spellings → `docker.io`. */
export function registryDomain(server: string | undefined): string {
  if (server === undefined) return 'docker.io';
  const host = server.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (host === '') throw new UsageError(`invalid registry ${JSON.stringify(server)}`);
  return ['index.docker.io', 'registry-1.docker.io', 'docker.io'].includes(host) ? 'docker.io' : host;
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'Log in to a registry',
  usage: '[OPTIONS] [SERVER]',
  flags: [
    { name: 'username', alias: 'u', type: 'string', value: 'USER', description: 'Username' },
    { name: 'password', alias: 'p', type: 'string', value: 'PASS', description: 'Password (prefer --password-stdin)' },
    { name: 'password-stdin', type: 'boolean', description: 'Take the password from stdin' },
    ...registryFlags,
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length > 1) throw new UsageError('"login" requires at most 1 argument');
    const domain = registryDomain(parsed.positionals[0]);
    const credentials = await readCredentials(parsed, io, domain);
    const registry = new Registry({ ...registryOptions(parsed, io), credentials: async () => credentials });
    await registry.ping(domain);
    await storeCredentials(domain, credentials, io.env);
    io.stdout.write('Login Succeeded\n');
    return exitCodes.ok;
  },
};

async function readCredentials(parsed: ParsedFlags, io: CliIO, domain: string): Promise<Credentials> {
  const stored = await getCredentials(domain, io.env);
  const username = typeof parsed.flags.username === 'string' ? parsed.flags.username : stored?.username;
  if (parsed.flags['password-stdin'] === true) {
    if (typeof parsed.flags.password === 'string') throw new UsageError('--password and --password-stdin are mutually exclusive');
    if (username === undefined) throw new UsageError('must provide --username with --password-stdin');
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return { username, password: Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '') };
  }
  if (typeof parsed.flags.password === 'string') {
    if (username === undefined) throw new UsageError('must provide --username with --password');
    return { username, password: parsed.flags.password };
  }
  if (stored !== undefined && username === stored.username) return stored;
  throw new UsageError('no password given: use --password-stdin (tsbuild does not prompt)');
}
