// Shared fixtures for the build-context specs: temp folders, trees, a canary outside the
// context, and a way to run a snippet as an unprivileged user (for permission cases).
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { projectRoot } from '../support/conformance.js';

/** A temp folder removed after the current mocha suite. */
export function tempFolder(prefix = 'tsbuild-ctx-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // readable by the unprivileged user of [root] cases
  return dir;
}

export function removeFolder(dir: string): void {
  if (!existsSync(dir)) return;
  // Make every folder writable again first: cases leave mode-000 folders behind.
  execFileSync('chmod', ['-R', 'u+rwx', dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Writes files (content defaults to the path itself) and creates folders ending in '/'. */
export function writeTree(root: string, files: Record<string, string | Buffer> | readonly string[]): void {
  const items = Array.isArray(files) ? files.map((path) => [path, path] as const) : Object.entries(files);
  for (const [path, content] of items) {
    const absolute = join(root, path);
    if (path.endsWith('/')) {
      mkdirSync(absolute, { recursive: true });
      continue;
    }
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, content);
  }
}

/** A canary folder outside every context: its files must never be read, changed or leaked. */
export interface Canary {
  readonly dir: string;
  readonly secretPath: string;
  readonly secret: Buffer;
  assertIntact(): void;
}

export function makeCanary(): Canary {
  const dir = mkdtempSync(join(tmpdir(), 'canary-'));
  const secretPath = join(dir, 'secret');
  const secret = Buffer.from(`CANARY-${randomBytes(16).toString('hex')}`);
  writeFileSync(secretPath, secret);
  writeFileSync(join(dir, 'victim'), 'victim');
  chmodSync(join(dir, 'victim'), 0o400);
  utimesSync(join(dir, 'victim'), 1_000_000, 1_000_000);
  mkdirSync(join(dir, 'empty'));
  const listing = readdirSync(dir).sort();
  return {
    dir,
    secretPath,
    secret,
    assertIntact() {
      expect(readdirSync(dir).sort(), 'canary folder listing').to.deep.equal(listing);
      expect(readFileSync(secretPath).equals(secret), 'canary secret').to.equal(true);
      const victim = lstatSync(join(dir, 'victim'));
      expect(victim.mode & 0o7777).to.equal(0o400);
      expect(victim.mtimeMs).to.equal(1_000_000_000);
      expect(victim.nlink).to.equal(1);
    },
  };
}

export const isRoot = process.getuid?.() === 0;

/** [root] permission cases switch to user nobody with util-linux's setpriv. */
export const canRunAsNobody = isRoot && spawnSync('setpriv', ['--version']).status === 0;

/**
 * Runs an ES module snippet as user nobody (via setpriv) and returns its stdout. The snippet
 * can import compiled modules as `DIST/...`. Used where behaviour depends on permissions,
 * which root bypasses.
 */
export function runAsNobody(snippet: string): string {
  const dist = join(projectRoot, 'dist');
  const code = snippet.replaceAll('DIST/', `file://${dist}/`);
  const args = ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', code];
  return execFileSync('setpriv', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** An error with a Node errno code, as fs would throw it. */
export function errnoError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
