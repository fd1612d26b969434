// The walkthrough of the getting-started tutorial, for real [root]: a Debian base made with
// debootstrap and imported (examples/nginx/make-debian-base.sh), nginx installed on it with
// apt-get and tagged `nginx`, the tutorial's two-line Dockerfile built with `-t nginx:v3`, run
// detached with `-p HOST:80`, the page fetched, a HEALTHCHECK variant turning healthy, `stop` and
// `rm` cleaning up. Needs debootstrap and Debian's mirror (scripts/setup.sh installs the former).
// The debootstrap tar is cached in a temp folder across runs; each build is timed on stderr.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../support/run-cli.js';

const exampleDir = resolve('examples/nginx');
const tsbuildBin = resolve('bin/tsbuild.js');
const run = promisify(execFile);

async function portIsFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((done) => {
    server.once('error', () => done(false));
    server.listen(port, host, () => done(true));
  });
  if (listening) await new Promise((done) => server.close(done));
  return listening;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** A GET that gives up after 5 s, so a stuck connection is retried instead of hanging the spec. */
function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(5000) });
}

async function poll<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function hasDebootstrap(): Promise<boolean> {
  return run('sh', ['-c', 'command -v debootstrap || test -x /usr/sbin/debootstrap']).then(() => true, () => false);
}

function timed(label: string, started: number): void {
  process.stderr.write(`      (${label}: ${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
}

describe('examples/nginx: the Hello, Docker! walkthrough with Debian and nginx [root]', function () {
  this.timeout(15 * 60_000);
  let root: string;
  const cli = (...args: string[]) => runCli(['--root', root, ...args], { cwd: exampleDir, env: process.env });

  before(async function () {
    if (!(await hasDebootstrap())) {
      this.test!.parent!.title += ' (skipped: debootstrap is not installed; scripts/setup.sh installs it)';
      this.skip();
    }
    root = await mkdtemp(join(tmpdir(), 'tsbuild-nginx-'));
  });

  after(async () => {
    if (root === undefined) return;
    await cli('rm', '-f', 'web');
    await rm(root, { recursive: true, force: true });
  });

  it('makes and imports the Debian base with debootstrap', async () => {
    const started = Date.now();
    const env = { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin`, TSBUILD: `${process.execPath} ${tsbuildBin} --root ${root}` };
    const { stdout } = await run(join(exampleDir, 'make-debian-base.sh'), [], { env, maxBuffer: 64 << 20 });
    timed('debootstrap and import', started);
    expect(stdout.trim()).to.match(/^sha256:[0-9a-f]{64}$/);
    expect((await cli('images')).stdout).to.match(/debian\s+bookworm/);
  });

  it('installs nginx on it with apt-get and tags it nginx', async () => {
    const started = Date.now();
    const built = await cli('build', '--progress', 'plain', '-t', 'nginx', '-f', 'Dockerfile.nginx', '.');
    timed('apt-get install nginx', started);
    expect(built.code, built.stderr).to.equal(0);
    expect(built.stderr).to.include('naming to docker.io/library/nginx:latest done');
  });

  it('builds the tutorial’s Dockerfile as nginx:v3, serves the page on -p, turns healthy, stops and is removed', async () => {
    const built = await cli('build', '-t', 'nginx:v3', '.');
    expect(built.code, built.stderr).to.equal(0);
    expect((await cli('images')).stdout).to.match(/nginx\s+v3/);

    // The tutorial's command, with a free host port for 8080. The container shares the host's
    // network, so nginx binds port 80 there; where that is taken, it gets its own network instead.
    const port = await freePort();
    const network = (await portIsFree(80)) ? [] : ['--network', 'none'];
    const started = await cli('run', '-d', '--name', 'web', ...network, '-p', `${port}:80`, 'nginx:v3');
    expect(started.code, started.stderr).to.equal(0);
    expect(started.stdout.trim()).to.match(/^[0-9a-f]{64}$/);
    const page = await poll('the page', async () => {
      const response = await get(`http://127.0.0.1:${port}/`);
      return response.ok ? response.text() : undefined;
    });
    expect(page).to.equal('<h1>Hello, Docker!</h1>\n');

    const stopped = await cli('stop', 'web');
    expect(stopped.code, stopped.stderr).to.equal(0);
    expect((await cli('ps', '-a')).stdout).to.match(/web/);
    await poll('the port to close', async () => get(`http://127.0.0.1:${port}/`).then(() => undefined, () => true), 20_000);
    const removed = await cli('rm', 'web');
    expect(removed.code, removed.stderr).to.equal(0);
    expect((await cli('ps', '-a')).stdout).to.not.match(/\bweb\b/);
  });

  it('the HEALTHCHECK variant turns healthy', async () => {
    const built = await cli('build', '-t', 'nginx:healthy', '-f', 'Dockerfile.healthcheck', '.');
    expect(built.code, built.stderr).to.equal(0);
    const port = await freePort();
    const network = (await portIsFree(80)) ? [] : ['--network', 'none'];
    const started = await cli('run', '-d', '--name', 'web', ...network, '-p', `${port}:80`, 'nginx:healthy');
    expect(started.code, started.stderr).to.equal(0);
    const status = await poll('healthy', async () => {
      const ps = await cli('ps');
      return ps.stdout.includes('(healthy)') ? ps.stdout : undefined;
    });
    expect(status).to.match(/nginx:healthy/);
    expect((await cli('rm', '-f', 'web')).code).to.equal(0);
    expect((await cli('ps', '-a')).stdout).to.not.match(/\bweb\b/);
  });
});
