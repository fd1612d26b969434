// `tsbuild build` flags, with docker build's names and meanings, and their conversion into what
// the build needs: build args (`K=V`, or `K` taken from the environment as docker does), secrets
// (`id=NAME,src=PATH` or `id=NAME,env=VAR`) and the platform check.
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { FlagSpec } from './options.js';

export const buildFlags: readonly FlagSpec[] = [
  { name: 'tag', alias: 't', type: 'strings', value: 'NAME[:TAG]', description: 'Name and optionally tag the image' },
  { name: 'file', alias: 'f', type: 'string', value: 'PATH', description: 'The Dockerfile (default: PATH/Dockerfile; "-" reads it from stdin)' },
  { name: 'build-arg', type: 'strings', value: 'K=V', description: 'Set a build-time variable (K alone takes the value from the environment)' },
  { name: 'label', type: 'strings', value: 'K=V', description: 'Set an image label (K alone sets an empty value); overrides LABEL in the Dockerfile' },
  { name: 'target', type: 'string', value: 'STAGE', description: 'Build this stage and what it needs, not the last one' },
  { name: 'no-cache', type: 'boolean', description: 'Run every step, using no cached result' },
  { name: 'no-cache-filter', type: 'strings', value: 'STAGE[,STAGE]', description: 'Run the steps of these stages without the cache' },
  { name: 'pull', type: 'boolean', description: 'Pull every base image again, even when it is in the store (missing ones are always pulled)' },
  { name: 'push', type: 'boolean', description: 'Push the image to its registries under every --tag after the build (as -o type=registry)' },
  { name: 'cache-from', type: 'strings', value: 'type=TYPE,…', description: 'Reuse step results from a build cache: type=registry,ref=REF (or REF) or type=local,src=DIR' },
  { name: 'cache-to', type: 'strings', value: 'type=TYPE,…', description: 'Export the build cache: type=registry,ref=REF or type=local,dest=DIR, with mode=min (final image steps, default) or mode=max (every stage)' },
  { name: 'insecure-registry', type: 'strings', value: 'HOST', description: 'Allow plain HTTP to this registry for pulls, pushes and caches (localhost always may)' },
  { name: 'network', type: 'string', value: 'MODE', choices: ['default', 'none', 'host'], description: 'Network of RUN steps' },
  { name: 'platform', type: 'string', value: 'OS/ARCH', description: 'Target platform (only the host platform can be built)' },
  { name: 'build-context', type: 'strings', value: 'NAME=PATH|docker-image://REF', description: 'An extra context: FROM NAME, COPY --from=NAME and RUN --mount=from=NAME use this folder or image instead' },
  { name: 'add-host', type: 'strings', value: 'HOST:IP', description: 'Add a line to the /etc/hosts of RUN steps (IP may be host-gateway, the host\'s address); not part of the cache key' },
  { name: 'secret', type: 'strings', value: 'id=ID,src=PATH', description: 'A secret RUN --mount=type=secret can read (or id=ID,env=VAR)' },
  { name: 'ssh', type: 'strings', value: 'default|ID[=SOCKET]', description: 'An SSH agent RUN --mount=type=ssh can use (default: $SSH_AUTH_SOCK)' },
  { name: 'quiet', alias: 'q', type: 'boolean', description: 'Print only the image ID' },
  { name: 'iidfile', type: 'string', value: 'FILE', description: 'Write the image ID to FILE' },
  { name: 'output', alias: 'o', type: 'strings', value: 'type=TYPE,dest=PATH', description: 'Also write the image out: type=docker|oci|tar with dest=FILE or -, type=oci,tar=false or type=local with dest=DIR; compression=gzip|uncompressed, compression-level=N; type=registry[,name=REF] or type=image,push=true pushes it' },
  { name: 'metadata-file', type: 'string', value: 'FILE', description: 'Write the build result (image and config digests, names) to FILE as JSON' },
  { name: 'progress', type: 'string', value: 'MODE', choices: ['auto', 'tty', 'plain', 'json', 'quiet'], default: 'auto', description: 'Progress output on stderr: auto is tty on a terminal, else plain; json is one event per line (docs/cli.md)' },
  { name: 'explain-cache', type: 'boolean', description: 'Say for every step that runs what changed since its last build' },
  { name: 'run-disk-quota', type: 'string', value: 'SIZE', description: 'Stop and fail a RUN step that writes more than SIZE to disk (default: none, but a step is always stopped before the disk is 95% full)' },
  { name: 'cache-max-size', type: 'string', value: 'SIZE', description: 'After the build, prune least recently used cache down to SIZE (default: $TSBUILD_CACHE_MAX)' },
  { name: 'dry-run', type: 'boolean', description: 'Parse and plan only: print stages and steps with variables expanded' },
  { name: 'format', type: 'string', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'Output of --dry-run and --check' },
  { name: 'check', type: 'boolean', description: 'Run the lint checks without building; exit 1 on an error-level finding' },
];

/** `--build-arg` values in order; a later value for the same name wins, as in docker. */
export function buildArgsFrom(values: readonly string[], env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const args = new Map<string, string>();
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals === 0) throw new UsageError(`invalid --build-arg "${value}": the name is empty`);
    if (equals > 0) {
      args.set(value.slice(0, equals), value.slice(equals + 1));
    } else if (env[value] !== undefined) {
      args.set(value, env[value]!);
    }
    // docker build drops `--build-arg NAME` when NAME is not in the environment; so do we.
  }
  return args;
}

/** `--secret id=x,src=path` / `id=x,env=VAR` / `id=x` (env var x): secret id → host file or value. */
export interface SecretSource {
  readonly id: string;
  readonly file?: string;
  readonly env?: string;
}

export function secretsFrom(values: readonly string[], cwd: string): SecretSource[] {
  return values.map((value) => {
    const fields = new Map(value.split(',').map((field) => {
      const equals = field.indexOf('=');
      return equals < 0 ? [field, ''] : [field.slice(0, equals).toLowerCase(), field.slice(equals + 1)];
    }));
    const id = fields.get('id');
    if (!id) throw new UsageError(`invalid --secret "${value}": expected id=ID,src=PATH or id=ID,env=VAR`);
    const src = fields.get('src') ?? fields.get('source');
    if (src) return { id, file: resolve(cwd, src) };
    return { id, env: fields.get('env') || id };
  });
}

/** `--label K=V` / `--label K` (empty value) as docker build reads them; a later value wins. */
export function labelsFrom(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals === 0 || value === '') throw new UsageError(`invalid --label "${value}": the name is empty`);
    if (equals < 0) labels[value] = '';
    else labels[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return labels;
}

/**
 * `--ssh default`, `--ssh ID=SOCKET`: mount id → agent socket path, as docker build reads them.
 * An id without a socket uses $SSH_AUTH_SOCK. Key files (docker's other form) are not supported.
 */
export function sshAgentsFrom(values: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): Record<string, string> {
  const agents: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const id = equals < 0 ? value : value.slice(0, equals);
    if (id === '') throw new UsageError(`invalid --ssh "${value}": expected default or ID[=SOCKET]`);
    const socket = equals < 0 ? env.SSH_AUTH_SOCK : value.slice(equals + 1);
    if (!socket) throw new UsageError(`invalid --ssh "${value}": no agent socket given and SSH_AUTH_SOCK is not set`);
    if (socket.includes(',')) throw new UsageError(`invalid --ssh "${value}": only one agent socket per id is supported (key files are not)`);
    agents[id] = resolve(cwd, socket);
  }
  return agents;
}
