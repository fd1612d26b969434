import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryDomain } from '../../../lib/cli/commands/login.js';
import { runCli } from '../../support/run-cli.js';

describe('registry CLI commands without a server', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-registry-cli-'));
    env = { DOCKER_CONFIG: join(dir, 'docker'), HOME: join(dir, 'home'), TSBUILD_ROOT: join(dir, 'root') };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('normalises the server a login names', () => {
    expect(registryDomain(undefined)).to.equal('docker.io');
    expect(registryDomain('https://index.docker.io/v1/')).to.equal('docker.io');
    expect(registryDomain('https://registry.example:5000/v2/')).to.equal('registry.example:5000');
    expect(registryDomain('ghcr.io')).to.equal('ghcr.io');
  });

  it('login needs a password from stdin or a flag, and a username with it', async () => {
    const none = await runCli(['login', 'registry.example'], { env });
    expect(none.code).to.equal(2);
    expect(none.stderr).to.contain('no password given: use --password-stdin (tsbuild does not prompt)');
    const noUser = await runCli(['login', '--password-stdin', 'registry.example'], { env, stdin: 'pw' });
    expect(noUser.stderr).to.contain('must provide --username with --password-stdin');
    const both = await runCli(['login', '-u', 'a', '-p', 'b', '--password-stdin', 'registry.example'], { env, stdin: 'pw' });
    expect(both.stderr).to.contain('--password and --password-stdin are mutually exclusive');
  });

  it('logout of a registry it never logged in to says so and writes nothing', async () => {
    const logout = await runCli(['logout'], { env });
    expect(logout.code).to.equal(0);
    expect(logout.stdout).to.equal('Not logged in to https://index.docker.io/v1/\n');
    await readFile(join(dir, 'docker', 'config.json')).then(() => expect.fail('config.json written'), () => undefined);
  });

  it('push refuses a digest reference and an image not in the store; pull a malformed platform', async () => {
    const digest = await runCli(['push', `registry.example/app@sha256:${'a'.repeat(64)}`], { env });
    expect(digest.code).to.equal(2);
    expect(digest.stderr).to.contain('name a tag, not a digest');
    const missing = await runCli(['push', 'registry.example/app:v1'], { env });
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('No such image: registry.example/app:v1');
    const platform = await runCli(['pull', '--platform', 'linux', 'registry.example/app'], { env });
    expect(platform.code).to.equal(2);
    expect(platform.stderr).to.contain('invalid platform "linux": expected OS/ARCH[/VARIANT]');
  });

  it('pull and push need exactly one name', async () => {
    expect((await runCli(['pull'], { env })).stderr).to.contain('"pull" requires exactly 1 argument');
    expect((await runCli(['push', 'a', 'b'], { env })).stderr).to.contain('"push" requires exactly 1 argument');
  });
});
