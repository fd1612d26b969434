// `tsbuild build --push`, `-o type=registry`, and --cache-to/--cache-from on the command line,
// against a real registry [server][root]: what a build pushes, pulled into a fresh root, is the
// same image; a fresh root built from a cache folder prints CACHED for every step; a push or
// cache ref that cannot work fails with a message naming it.
import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX_TAG } from '../../support/busybox-image.js';
import { importBusybox } from '../../support/busybox-image.js';
import { registryAvailable, startRegistry, type RegistryServer } from '../../support/registry-server.js';
import { runCli } from '../../support/run-cli.js';
import { startBusyboxRegistry, type BusyboxRegistry } from '../registry/registry-fixture.js';

describe('tsbuild build --push and caches [server][root]', function () {
  this.timeout(180_000);
  let fixture: BusyboxRegistry | undefined;
  let host: string;
  let context: string;

  before(async function () {
    if (!registryAvailable()) this.skip();
    fixture = await startBusyboxRegistry('tsbuild-build-push-spec-');
    host = fixture.registry.host;
    await fixture.source.tag(BUSYBOX_TAG, `${host}/tests/base:v1`);
    const pushed = await runCli(['--root', join(fixture.dir, 'source'), 'push', `${host}/tests/base:v1`]);
    expect(pushed.code, pushed.stderr).to.equal(0);
    context = join(fixture.dir, 'ctx');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), `FROM ${host}/tests/base:v1 AS tools\nRUN date +%s%N > /t\nFROM ${host}/tests/base:v1\nCOPY --from=tools /t /t\nRUN date +%s%N > /stamp\nCOPY Dockerfile /Dockerfile\n`);
  });
  after(async () => {
    await fixture?.stop();
  });

  const root = (name: string): string => join(fixture!.dir, name);

  it('[server] --push sends the image under its tag; pulled into a fresh root it has the same ID', async () => {
    const name = `${host}/tests/app:v1`;
    const built = await runCli(['--root', root('push-a'), 'build', '-q', '--push', '-t', name, context]);
    expect(built.code, built.stderr).to.equal(0);
    const id = built.stdout.trim();
    const pulled = await runCli(['--root', root('push-b'), 'pull', '-q', name]);
    expect(pulled.code, pulled.stderr).to.equal(0);
    const inspected = await runCli(['--root', root('push-b'), 'inspect', '--format', '{{.Id}}', name]);
    expect(inspected.stdout.trim()).to.equal(id);
  });

  it('[server] -o type=registry,name=REF pushes under that name (and tags it in the store)', async () => {
    const name = `${host}/tests/other:v2`;
    const built = await runCli(['--root', root('push-a'), 'build', '-q', '-o', `type=registry,name=${name}`, context]);
    expect(built.code, built.stderr).to.equal(0);
    const pulled = await runCli(['--root', root('push-c'), 'pull', '-q', name]);
    expect(pulled.code, pulled.stderr).to.equal(0);
    expect((await runCli(['--root', root('push-c'), 'inspect', '--format', '{{.Id}}', name])).stdout.trim()).to.equal(built.stdout.trim());
  });

  it('[server] a push needs a name, and one to a registry that is not there names the registry and the tag', async () => {
    const nameless = await runCli(['--root', root('push-a'), 'build', '--push', context]);
    expect(nameless.code).to.equal(2);
    expect(nameless.stderr).to.include('pushing the image needs a name');
    const down = await runCli(['--root', root('push-a'), 'build', '-q', '--push', '-t', '127.0.0.1:1/tests/app:v1', context]);
    expect(down.code).to.equal(1);
    expect(down.stderr).to.include('cannot push 127.0.0.1:1/tests/app:v1 to 127.0.0.1:1');
  });

  it('[server] --cache-to a folder, then a fresh root with --cache-from: every step CACHED, same image', async () => {
    const cache = join(fixture!.dir, 'cli-cache');
    const first = await runCli(['--root', root('cache-a'), 'build', '--progress', 'plain', '--iidfile', join(fixture!.dir, 'iid-a'), '--cache-to', `type=local,dest=${cache},mode=max`, context]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stderr).to.include(`exporting cache to local folder ${cache} (mode=max)`);
    const second = await runCli(['--root', root('cache-b'), 'build', '--progress', 'plain', '--iidfile', join(fixture!.dir, 'iid-b'), '--cache-from', `type=local,src=${cache}`, context]);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stderr).to.include(`pulling ${host}/tests/base:v1`);
    expect(second.stderr.match(/ CACHED$/gm)).to.have.length(4);
    expect(second.stderr).to.not.match(/ DONE /);
    expect(await readFile(join(fixture!.dir, 'iid-b'), 'utf8')).to.equal(await readFile(join(fixture!.dir, 'iid-a'), 'utf8'));
  });

  it('[server] a bad cache ref is refused before building; an unreachable cache registry fails the export naming it', async () => {
    const bad = await runCli(['--root', root('cache-c'), 'build', '--cache-to', 'type=registry,ref=Bad:Ref:x', context]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('invalid --cache-to "type=registry,ref=Bad:Ref:x"');
    const down = await runCli(['--root', root('cache-c'), 'build', '-q', '--cache-to', 'type=registry,ref=127.0.0.1:1/tests/cache:c', context]);
    expect(down.code).to.equal(1);
    expect(down.stderr).to.include('cannot export the build cache to 127.0.0.1:1/tests/cache:c');
  });
});

describe('tsbuild build caches through a TLS registry with basic auth [server][root]', function () {
  this.timeout(180_000);
  let registry: RegistryServer | undefined;
  let dir: string;
  let env: Record<string, string>;

  before(async function () {
    if (!registryAvailable()) this.skip();
    registry = await startRegistry({ tls: true, users: { ci: 'ci pass' } });
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-build-cache-tls-'));
    env = { HOME: join(dir, 'home'), DOCKER_CONFIG: join(dir, 'docker'), TSBUILD_REGISTRY_CA_FILES: registry.caFile as string };
    await importBusybox(join(dir, 'source'));
    await mkdir(join(dir, 'ctx'));
    await writeFile(join(dir, 'ctx', 'Dockerfile'), `FROM ${registry.host}/ci/base:v1\nRUN date +%s%N > /stamp\n`);
  });
  after(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (root: string, args: string[], stdin?: string) => runCli(['--root', join(dir, root), ...args], { env, ...(stdin !== undefined ? { stdin } : {}) });

  it('[server] refuses an export without credentials; after login, a fresh root reuses the cache from the registry', async () => {
    const base = `${registry!.host}/ci/base:v1`;
    const cache = `${registry!.host}/ci/cache:main`;
    expect((await cli('source', ['login', '-u', 'ci', '--password-stdin', registry!.host], 'ci pass\n')).code).to.equal(0);
    expect((await cli('source', ['tag', BUSYBOX_TAG, base])).code).to.equal(0);
    expect((await cli('source', ['push', base])).code).to.equal(0);
    const first = await cli('a', ['build', '-q', '--cache-to', `type=registry,ref=${cache}`, join(dir, 'ctx')]);
    expect(first.code, first.stderr).to.equal(0);
    const second = await cli('b', ['build', '-q', '--cache-from', cache, join(dir, 'ctx')]);
    expect(second.code, second.stderr).to.equal(0);
    // The RUN writes the time: the same ID means it was reused, not run again.
    expect(second.stdout).to.equal(first.stdout);
    expect((await cli('b', ['logout', registry!.host])).code).to.equal(0);
    const refused = await cli('b', ['build', '-q', '--cache-to', `type=registry,ref=${registry!.host}/ci/other:x`, join(dir, 'ctx')]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include(`cannot export the build cache to ${registry!.host}/ci/other:x: ${registry!.host}: authentication required`);
  });
});
