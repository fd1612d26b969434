import { expect } from 'chai';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootLayout } from '../../../cache/root.js';
import { ImageStore } from '../../../lib/store/image-store.js';
import { BUSYBOX_TAG, importBusybox } from '../../support/busybox-image.js';
import { registryAvailable, startRegistry, type RegistryServer } from '../../support/registry-server.js';
import { runCli } from '../../support/run-cli.js';

describe('registry commands against docker-registry with TLS and htpasswd [server]', function () {
  let registry: RegistryServer;
  let dir: string;
  let env: Record<string, string>;
  let image: string;

  before(async function () {
    if (!registryAvailable()) this.skip();
    registry = await startRegistry({ tls: true, users: { alice: 's3cret pass' } });
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-registry-tls-'));
    await importBusybox(join(dir, 'source'));
    env = { HOME: join(dir, 'home'), DOCKER_CONFIG: join(dir, 'docker'), TSBUILD_REGISTRY_CA_FILES: registry.caFile as string };
    image = `${registry.host}/team/busybox:tls`;
  });
  after(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], options: { root?: string; stdin?: string; env?: Record<string, string> } = {}) =>
    runCli(['--root', join(dir, options.root ?? 'source'), ...args], { env: { ...env, ...options.env }, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) });

  it('[server] refuses a push without credentials, with a hint to log in', async () => {
    expect((await cli(['tag', BUSYBOX_TAG, image])).code).to.equal(0);
    const push = await cli(['push', image]);
    expect(push.code).to.equal(1);
    expect(push.stderr).to.contain(`${registry.host}: authentication required (no credentials: run tsbuild login ${registry.host})`);
  });

  it('[server] login with wrong credentials fails clearly and stores nothing', async () => {
    const login = await cli(['login', '-u', 'alice', '--password-stdin', registry.host], { stdin: 'wrong\n' });
    expect(login.code).to.equal(1);
    expect(login.stderr).to.match(/unauthorized: the registry refused the credentials/);
    await stat(join(dir, 'docker', 'config.json')).then(
      () => expect.fail('config.json was written'),
      (error: NodeJS.ErrnoException) => expect(error.code).to.equal('ENOENT'),
    );
  });

  it('[server] a server certificate signed by an unknown CA is refused', async () => {
    const login = await cli(['login', '-u', 'alice', '--password-stdin', registry.host], { stdin: 's3cret pass\n', env: { TSBUILD_REGISTRY_CA_FILES: '' } });
    expect(login.code).to.equal(1);
    expect(login.stderr).to.match(/self[- ]signed certificate|unable to verify/i);
  });

  it('[server] trusts a CA from the certs.d folder of the registry, for that registry only', async () => {
    const certs = join(dir, 'certs.d');
    await mkdir(join(certs, registry.host), { recursive: true });
    await copyFile(registry.caFile as string, join(certs, registry.host, 'ca.crt'));
    const noEnvCa = { TSBUILD_REGISTRY_CA_FILES: '', TSBUILD_REGISTRY_CERTS_DIR: certs, DOCKER_CONFIG: join(dir, 'docker-certs-d') };
    const login = await cli(['login', '-u', 'alice', '--password-stdin', registry.host], { stdin: 's3cret pass\n', env: noEnvCa });
    expect(login.stderr).to.equal('');
    expect(login.stdout).to.equal('Login Succeeded\n');
    const other = `localhost:${registry.host.split(':')[1]}`;
    const elsewhere = await cli(['login', '-u', 'alice', '--password-stdin', other], { stdin: 's3cret pass\n', env: noEnvCa });
    expect(elsewhere.code).to.equal(1);
    expect(elsewhere.stderr).to.match(/self[- ]signed certificate|unable to verify/i);
  });

  it('[server] login stores the credentials; push then pull into a fresh root gives the same image', async () => {
    const login = await cli(['login', '-u', 'alice', '--password-stdin', registry.host], { stdin: 's3cret pass\n' });
    expect(login.stderr).to.equal('');
    expect(login.stdout).to.equal('Login Succeeded\n');
    const config = JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8'));
    expect(config.auths[registry.host].auth).to.equal(Buffer.from('alice:s3cret pass').toString('base64'));
    expect((await stat(join(dir, 'docker', 'config.json'))).mode & 0o777).to.equal(0o600);

    const push = await cli(['push', image]);
    expect(push.stderr).to.equal('');
    const digest = /tls: digest: (sha256:[0-9a-f]{64}) size: \d+\n$/.exec(push.stdout)?.[1];
    expect(push.stdout).to.match(/^The push refers to repository \[127\.0\.0\.1:\d+\/team\/busybox\]\n[0-9a-f]{12}: Pushed\n[0-9a-f]{12}: Pushed\n/);
    expect(digest).to.be.a('string');

    const pull = await cli(['pull', image], { root: 'fresh' });
    expect(pull.stderr).to.equal('');
    expect(pull.stdout).to.contain(`tls: Pulling from team/busybox\n`);
    expect(pull.stdout).to.contain(`Digest: ${digest}\n`);
    expect(pull.stdout).to.contain(`Status: Downloaded newer image for ${image}\n`);
    const again = await cli(['pull', image], { root: 'fresh' });
    expect(again.stdout).to.contain(': Already exists\n');
    expect(again.stdout).to.contain(`Status: Image is up to date for ${image}\n`);

    const original = await (await ImageStore.open(rootLayout(join(dir, 'source')))).resolve(BUSYBOX_TAG);
    const pulled = await (await ImageStore.open(rootLayout(join(dir, 'fresh')))).resolve(image);
    expect(pulled.id).to.equal(original.id);
    expect(pulled.manifestDigest).to.equal(original.manifestDigest);
  });

  it('[server] logout forgets the credentials and a later push is refused', async () => {
    const logout = await cli(['logout', registry.host]);
    expect(logout.stdout).to.equal(`Removing login credentials for ${registry.host}\n`);
    const config = JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8'));
    expect(config.auths).to.deep.equal({});
    expect((await cli(['logout', registry.host])).stdout).to.equal(`Not logged in to ${registry.host}\n`);
    expect((await cli(['push', image])).code).to.equal(1);
  });
});
