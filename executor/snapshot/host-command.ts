// Runs the few host tools the snapshot code needs (mknod, mount, umount, cp, sync). They are looked
// up by absolute path in the host's system folders, never through a PATH that could point into an
// image: running a helper out of an untrusted rootfs with our privileges is SECURITY lesson 4
// (CVE-2014-9357, GHSA-x86f-5xw2-fm2r). Arguments are passed as an array, never through a shell.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import { CommandServer } from './command-server.js';

const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const found = new Map<string, string | null>();

/** The absolute path of a host tool, or null when the host does not have it. */
export function findHostBinary(name: string): string | null {
  if (!found.has(name)) {
    const path = SYSTEM_DIRS.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
    found.set(name, path ?? null);
  }
  return found.get(name)!;
}

export interface HostCommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a host tool to completion; a non-zero exit becomes an error carrying its stderr. */
export function runHostCommand(name: string, args: readonly string[], options: HostCommandOptions = {}): Promise<string> {
  const binary = findHostBinary(name);
  if (binary === null) {
    return Promise.reject(new TsbuildError('E_STEP', `the host tool ${name} is needed but was not found in ${SYSTEM_DIRS.join(', ')}`));
  }
  const env = options.env ?? process.env;
  server ??= CommandServer.start() ?? null;
  if (server?.canRun(env)) return runServed(server, name, binary, args, options.cwd ?? process.cwd(), env);
  return new Promise((resolve, reject) => {
    execFile(binary, [...args], { cwd: options.cwd, env, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const detail = stderr.trim() || error.message;
        reject(new TsbuildError('E_STEP', `${name} ${args.join(' ')} failed: ${detail}`, { cause: error }));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Started on the first host command; null when it could not be (then each command is spawned). */
let server: CommandServer | null | undefined;

async function runServed(served: CommandServer, name: string, binary: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await served.run(binary, args, cwd, env);
  if (result.status !== 0) {
    const detail = result.stderr.trim() || `exit status ${result.status}`;
    throw new TsbuildError('E_STEP', `${name} ${args.join(' ')} failed: ${detail}`);
  }
  return result.stdout;
}
