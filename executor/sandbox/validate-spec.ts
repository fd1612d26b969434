// Allow-list validation of a RunSpec before anything touches the disk (SECURITY lessons 8 and 9:
// unknown enum values are rejected, never defaulted; ids and paths from image configs are
// attacker input). Errors are E_USAGE: the caller built a spec the sandbox will not run.
import { isIP } from 'node:net';
import { UsageError } from '../../lib/errors.js';
import { containerComponents } from './in-root-path.js';
import { isPipeScriptMount } from './pipe-scripts.js';
import type { RunSpec, SandboxMount } from './types.js';

const NETWORKS = new Set(['default', 'none', 'host']);
const MOUNT_TYPES = new Set(['bind', 'tmpfs']);
/** Ids above int32 have wrapped to 0 in other runtimes (CVE-2024-40635); 2^32-1 means "unchanged" to setresuid. */
const MAX_ID = 0x7fffffff;
/** The sandbox owns these trees; a user mount inside them would undo its masks. */
const RESERVED_TREES = ['proc', 'sys', 'dev'];

function fail(message: string): never {
  throw new UsageError(`invalid sandbox spec: ${message}`);
}

function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string') fail(`${what} must be a string`);
  if (value.includes('\0')) fail(`${what} contains a NUL byte`);
  return value;
}

function checkAbsolute(value: unknown, what: string): string {
  const path = checkText(value, what);
  if (!path.startsWith('/')) fail(`${what} must be an absolute path, got ${JSON.stringify(path)}`);
  return path;
}

function checkId(value: unknown, what: string): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_ID) fail(`${what} must be an integer from 0 to ${MAX_ID}`);
}

function checkMount(mount: SandboxMount, index: number): void {
  const what = `mounts[${index}]`;
  if (!MOUNT_TYPES.has(mount?.type)) fail(`${what}.type must be bind or tmpfs`);
  const target = containerComponents(checkAbsolute(mount.target, `${what}.target`));
  if (target.length === 0) fail(`${what}.target cannot be /`);
  if (RESERVED_TREES.includes(target[0]!) && !isPipeScriptMount(mount)) fail(`${what}.target cannot be inside /${target[0]}`);
  if (mount.type === 'bind') checkAbsolute(mount.source, `${what}.source`);
  if (mount.type === 'tmpfs' && mount.size !== undefined && !(Number.isSafeInteger(mount.size) && mount.size > 0)) {
    fail(`${what}.size must be a positive number of bytes`);
  }
}

function checkHostname(value: unknown): void {
  const hostname = checkText(value, 'hostname');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(hostname)) fail(`hostname ${JSON.stringify(hostname)} is not a valid host name`);
}

function checkEnv(env: readonly string[]): void {
  if (!Array.isArray(env)) fail('env must be an array');
  env.forEach((entry, i) => {
    const text = checkText(entry, `env[${i}]`);
    if (text.indexOf('=') < 1) fail(`env[${i}] must be KEY=VALUE with a non-empty KEY`);
  });
}

export function validateRunSpec(spec: RunSpec): void {
  checkAbsolute(spec.rootfs, 'rootfs');
  if (!Array.isArray(spec.args) || spec.args.length === 0) fail('args must be a non-empty array');
  spec.args.forEach((arg, i) => checkText(arg, `args[${i}]`));
  if (spec.args[0] === '') fail('args[0] cannot be empty');
  checkEnv(spec.env);
  checkAbsolute(spec.cwd, 'cwd');
  checkId(spec.uid, 'uid');
  checkId(spec.gid, 'gid');
  if (!Array.isArray(spec.additionalGids)) fail('additionalGids must be an array');
  spec.additionalGids.forEach((gid, i) => checkId(gid, `additionalGids[${i}]`));
  checkHostname(spec.hostname);
  if (!NETWORKS.has(spec.network)) fail(`network must be default, none or host, got ${JSON.stringify(spec.network)}`);
  if (!Array.isArray(spec.mounts)) fail('mounts must be an array');
  spec.mounts.forEach(checkMount);
  for (const [i, host] of (spec.extraHosts ?? []).entries()) {
    if (!/^[^\s#\0]+$/.test(checkText(host?.name, `extraHosts[${i}].name`))) fail(`extraHosts[${i}].name is not a host name`);
    if (isIP(checkText(host.ip, `extraHosts[${i}].ip`)) === 0) fail(`extraHosts[${i}].ip is not an IP address`);
  }
}
