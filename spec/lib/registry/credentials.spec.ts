import { expect } from 'chai';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialKey, eraseCredentials, getCredentials, storeCredentials } from '../../../lib/registry/credentials.js';

describe('lib/registry credentials (Docker config files and helpers)', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-creds-'));
    env = { DOCKER_CONFIG: join(dir, 'docker'), HOME: join(dir, 'home'), PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writeConfig = async (config: unknown) => {
    await rm(join(dir, 'docker'), { recursive: true, force: true });
    await (await import('node:fs/promises')).mkdir(join(dir, 'docker'), { recursive: true });
    await writeFile(join(dir, 'docker', 'config.json'), JSON.stringify(config));
  };

  it('files Docker Hub under its v1 URL and other registries under host[:port]', () => {
    expect(credentialKey('docker.io')).to.equal('https://index.docker.io/v1/');
    expect(credentialKey('index.docker.io')).to.equal('https://index.docker.io/v1/');
    expect(credentialKey('registry.example:5000')).to.equal('registry.example:5000');
  });

  it('reads base64 auths, matching keys written with a scheme, and identity tokens', async () => {
    await writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
        'https://registry.example:5000/v2/': { auth: Buffer.from('me:pw').toString('base64') },
        'token.example': { identitytoken: 'refresh-123' },
      },
    });
    expect(await getCredentials('docker.io', env)).to.deep.equal({ username: 'hubuser', password: 'hub:pass' });
    expect(await getCredentials('registry.example:5000', env)).to.deep.equal({ username: 'me', password: 'pw' });
    expect(await getCredentials('token.example', env)).to.deep.equal({ username: '<token>', password: 'refresh-123' });
    expect(await getCredentials('other.example', env)).to.equal(undefined);
  });

  it('uses $HOME/.docker when DOCKER_CONFIG is unset, and no file means no credentials', async () => {
    expect(await getCredentials('docker.io', { HOME: join(dir, 'nohome') })).to.equal(undefined);
  });

  it('writes auths atomically, owner-only, keeping the keys it does not know', async () => {
    await writeConfig({ auths: { 'keep.example': { auth: 'a2VlcDptZQ==' } }, experimental: 'enabled' });
    await storeCredentials('registry.example', { username: 'u', password: 'p w' }, env);
    const config = JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8'));
    expect(config.experimental).to.equal('enabled');
    expect(config.auths).to.deep.equal({ 'keep.example': { auth: 'a2VlcDptZQ==' }, 'registry.example': { auth: Buffer.from('u:p w').toString('base64') } });
    expect(await eraseCredentials('registry.example', env)).to.equal(true);
    expect(await eraseCredentials('registry.example', env)).to.equal(false);
    expect(JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8')).auths).to.deep.equal({ 'keep.example': { auth: 'a2VlcDptZQ==' } });
  });

  it('asks docker-credential-<name> programs: credHelpers per registry, credsStore for the rest', async () => {
    const bin = join(dir, 'bin');
    await (await import('node:fs/promises')).mkdir(bin, { recursive: true });
    const log = join(dir, 'helper.log');
    // A helper that answers `get` for one server, records `store`/`erase` input, and says "not found" otherwise.
    const script = `#!/bin/sh\ninput=$(cat)\necho "$0 $1 $input" >> ${log}\nif [ "$1" = get ] && [ "$input" = "helped.example" ]; then echo '{"ServerURL":"helped.example","Username":"hu","Secret":"hs"}'; exit 0; fi\nif [ "$1" = get ]; then echo "credentials not found in native keychain"; exit 1; fi\nexit 0\n`;
    for (const name of ['docker-credential-fake', 'docker-credential-store']) {
      await writeFile(join(bin, name), script);
      await chmod(join(bin, name), 0o755);
    }
    await writeConfig({ credHelpers: { 'helped.example': 'fake' }, credsStore: 'store' });
    expect(await getCredentials('helped.example', env)).to.deep.equal({ username: 'hu', password: 'hs' });
    expect(await getCredentials('unknown.example', env)).to.equal(undefined);
    await storeCredentials('docker.io', { username: 'x', password: 'y' }, env);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines[0]).to.match(/docker-credential-fake get helped\.example$/);
    expect(lines[1]).to.match(/docker-credential-store get unknown\.example$/);
    expect(lines[2]).to.match(/docker-credential-store store \{"ServerURL":"https:\/\/index\.docker\.io\/v1\/","Username":"x","Secret":"y"\}$/);
    expect(JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8')).auths).to.equal(undefined);
  });

  it('refuses a helper name that is not a plain program name', async () => {
    await writeConfig({ credsStore: '../../bin/sh' });
    const error = await getCredentials('x.example', env).catch((caught: unknown) => caught);
    expect((error as Error).message).to.equal('invalid credential helper name "../../bin/sh"');
  });
});
