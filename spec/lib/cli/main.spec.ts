import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../../lib/cli/commands/index.js';
import { runCli } from '../../support/run-cli.js';

describe('tsbuild CLI: commands, help and exit codes', () => {
  let root: string;
  before(async () => { root = await mkdtemp(join(tmpdir(), 'tsbuild-cli-')); });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  it('prints the version from package.json', async () => {
    const run = await runCli(['--version']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^tsbuild \d+\.\d+\.\d+\n$/);
  });

  it('lists every command in the overall help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).to.equal(0);
    for (const name of ['build', 'context', 'du', 'verify']) expect(run.stdout).to.match(new RegExp(`^  ${name} `, 'm'));
  });

  it('lists each command with the name and summary its lazily loaded module has', async () => {
    // Every command a module of lib/cli/commands exports is in the table, and nothing else is.
    const folder = new URL('../../../lib/cli/commands/', import.meta.url);
    const exported: string[] = [];
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.js') && name !== 'index.js')) {
      const module = (await import(new URL(file, folder).href)) as Record<string, { name?: unknown; run?: unknown }>;
      for (const value of Object.values(module)) if (typeof value?.name === 'string' && typeof value.run === 'function') exported.push(value.name);
    }
    expect(commands.map((entry) => entry.name).sort()).to.deep.equal(exported.sort());
    for (const entry of commands) {
      const command = await entry.load();
      expect(command.name).to.equal(entry.name);
      expect(command.summary).to.equal(entry.summary);
    }
  });

  it('prints a command help that lists its flags and the global ones', async () => {
    const run = await runCli(['build', '--help']);
    expect(run.code).to.equal(0);
    for (const flag of ['--tag', '--file', '--build-arg', '--target', '--no-cache', '--dry-run', '--root']) expect(run.stdout).to.include(flag);
  });

  it('exits 2 with a suggestion for an unknown flag', async () => {
    const run = await runCli(['build', '--targte', 'x', '.']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('unknown flag: --targte');
    expect(run.stderr).to.include('did you mean --target?');
  });

  it('exits 2 for a value outside a flag\'s choices', async () => {
    const run = await runCli(['build', '--network', 'bridge', '.']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('invalid value "bridge" for --network');
  });

  it('exits 2 when build is given no context', async () => {
    const run = await runCli(['build', '--dry-run']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('requires exactly 1 argument');
  });

  it('accepts --root before or after the command', async () => {
    const before = await runCli(['--root', root, 'du', '--json']);
    const after = await runCli(['du', '--json', '--root', root]);
    expect(before.code).to.equal(0);
    expect(JSON.parse(before.stdout).root).to.equal(root);
    expect(JSON.parse(after.stdout).root).to.equal(root);
  });

  it('takes the root from TSBUILD_ROOT when --root is absent', async () => {
    const run = await runCli(['du', '--json'], { env: { TSBUILD_ROOT: root } });
    expect(JSON.parse(run.stdout).root).to.equal(root);
  });

  it('rejects another platform with a clear usage error', async () => {
    const dir = await mkdtemp(join(root, 'ctx-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
    const run = await runCli(['build', '--dry-run', '--platform', 'windows/amd64', dir]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('can only build for the host platform');
  });

  it('context lists what a build sees and explains an ignored path', async () => {
    const dir = await mkdtemp(join(root, 'ctx-'));
    await writeFile(join(dir, '.dockerignore'), '*.log\n');
    await writeFile(join(dir, 'app.js'), 'x');
    await writeFile(join(dir, 'debug.log'), 'x');
    const listing = await runCli(['context', dir]);
    expect(listing.stdout).to.include('app.js');
    expect(listing.stdout).not.to.include('debug.log');
    const explained = await runCli(['context', '--explain', 'debug.log', dir]);
    expect(explained.stdout).to.match(/^debug\.log: excluded \(.*\*\.log.*\)/);
  });

  it('verify on an empty root reports nothing damaged and exits 0', async () => {
    const run = await runCli(['verify', '--root', join(root, 'fresh')]);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.include('0 damaged blobs');
  });
});
