// Registry credentials where Docker keeps them: `config.json` in $DOCKER_CONFIG or ~/.docker,
// as base64 `auths` entries or through `docker-credential-<name>` helper programs (`credHelpers`
// per registry, `credsStore` for all). Writes keep every other key of the file and replace it
// atomically, readable by its owner only.
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../cache/atomic-file.js';
import { UsageError } from '../errors.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

type Env = Readonly<Record<string, string | undefined>>;

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [key: string]: unknown;
}

/** The key Docker files Docker Hub's credentials under. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export function dockerConfigDir(env: Env = process.env): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

/** `docker.io` → Docker Hub's key; anything else is its host[:port]. */
export function credentialKey(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' || domain === 'registry-1.docker.io' ? DOCKER_HUB_KEY : domain;
}

export async function getCredentials(domain: string, env: Env = process.env): Promise<Credentials | undefined> {
  const config = await readConfig(env);
  const key = credentialKey(domain);
  const helper = config.credHelpers?.[domain] ?? config.credHelpers?.[key] ?? config.credsStore;
  if (helper) return helperGet(helper, key, env);
  const entry = Object.entries(config.auths ?? {}).find(([name]) => hostOf(name) === hostOf(key))?.[1];
  if (entry === undefined) return undefined;
  if (entry.identitytoken) return { username: '<token>', password: entry.identitytoken };
  if (entry.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon === -1) throw new UsageError(`the credentials for ${domain} in ${configPath(env)} are not "user:password" in base64`);
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return entry.username !== undefined && entry.password !== undefined ? { username: entry.username, password: entry.password } : undefined;
}

export async function storeCredentials(domain: string, credentials: Credentials, env: Env = process.env): Promise<void> {
  const config = await readConfig(env);
  const key = credentialKey(domain);
  const helper = config.credHelpers?.[domain] ?? config.credHelpers?.[key] ?? config.credsStore;
  if (helper) {
    await runHelper(helper, 'store', JSON.stringify({ ServerURL: key, Username: credentials.username, Secret: credentials.password }), env);
    return;
  }
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
  await writeConfig({ ...config, auths: { ...config.auths, [key]: { auth } } }, env);
}

/** Forgets a registry's credentials; false when there were none in the file. */
export async function eraseCredentials(domain: string, env: Env = process.env): Promise<boolean> {
  const config = await readConfig(env);
  const key = credentialKey(domain);
  const helper = config.credHelpers?.[domain] ?? config.credHelpers?.[key] ?? config.credsStore;
  if (helper) await runHelper(helper, 'erase', key, env).catch(() => undefined);
  const auths = { ...config.auths };
  const names = Object.keys(auths).filter((name) => hostOf(name) === hostOf(key));
  if (names.length === 0) return helper !== undefined;
  for (const name of names) delete auths[name];
  await writeConfig({ ...config, auths }, env);
  return true;
}

function configPath(env: Env): string {
  return join(dockerConfigDir(env), 'config.json');
}

async function readConfig(env: Env): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(configPath(env), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as DockerConfigFile;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch (error) {
    throw new UsageError(`${configPath(env)} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function writeConfig(config: DockerConfigFile, env: Env): Promise<void> {
  const dir = dockerConfigDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(configPath(env), `${JSON.stringify(config, null, '\t')}\n`, { tmpDir: dir, mode: 0o600 });
}

/** `https://index.docker.io/v1/` → `index.docker.io`; `host:5000` stays. */
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

async function helperGet(helper: string, key: string, env: Env): Promise<Credentials | undefined> {
  let output: string;
  try {
    output = await runHelper(helper, 'get', key, env);
  } catch (error) {
    // Helpers say "credentials not found in native keychain" with a non-zero exit: anonymous then.
    if (/not found/i.test((error as Error).message)) return undefined;
    throw error;
  }
  const parsed = JSON.parse(output) as { Username?: string; Secret?: string };
  if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string') return undefined;
  return { username: parsed.Username, password: parsed.Secret };
}

function runHelper(helper: string, action: 'get' | 'store' | 'erase', input: string, env: Env): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) return Promise.reject(new UsageError(`invalid credential helper name ${JSON.stringify(helper)}`));
  return new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, [action], { env: { ...env } as NodeJS.ProcessEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new UsageError(`docker-credential-${helper} ${action}: ${(stdout || stderr || error.message).trim()}`, { cause: error }));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}
