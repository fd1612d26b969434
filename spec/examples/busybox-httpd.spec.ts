// The walkthrough's quick variant [root], needing no network: busybox imported as `busybox`, the
// examples/busybox-httpd Dockerfile built with `-t nginx:v3`, run detached on the host network,
// the page fetched from Node, the HEALTHCHECK turning healthy, and the container removed. The
// real walkthrough (Debian and nginx) is spec/examples/nginx.spec.ts.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeBusyboxTar } from '../support/busybox-image.js';
import { runCli } from '../support/run-cli.js';

const exampleDir = resolve('examples/busybox-httpd');

/** A TCP port nothing listens on right now (the container binds it on the host network). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

async function poll<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

describe('examples/busybox-httpd: the Hello, Docker! walkthrough without a network [root]', function () {
  this.timeout(180_000);
  let root: string;
  const cli = (...args: string[]) => runCli(['--root', root, ...args], { cwd: exampleDir });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-walkthrough-'));
    const tar = join(root, 'busybox.tar');
    await makeBusyboxTar(tar);
    const imported = await cli('import', tar, 'busybox');
    expect(imported.code, imported.stderr).to.equal(0);
    await rm(tar);
  });

  after(async () => {
    await cli('rm', '-f', 'web');
    await rm(root, { recursive: true, force: true });
  });

  it('builds nginx:v3, serves the page, turns healthy, and is removed', async () => {
    const built = await cli('build', '-t', 'nginx:v3', '.');
    expect(built.code, built.stderr).to.equal(0);
    expect(built.stderr).to.include('naming to docker.io/library/nginx:v3 done');
    expect((await cli('images')).stdout).to.match(/nginx\s+v3/);

    const port = await freePort();
    const started = await cli('run', '-d', '--name', 'web', '--network', 'host', '-e', `PORT=${port}`, 'nginx:v3');
    expect(started.code, started.stderr).to.equal(0);
    expect(started.stdout.trim()).to.match(/^[0-9a-f]{64}$/);

    const page = await poll('the page', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      return response.ok ? response.text() : undefined;
    });
    expect(page).to.equal('<h1>Hello, Docker!</h1>\n');

    const status = await poll('healthy', async () => {
      const ps = await cli('ps');
      return ps.stdout.includes('(healthy)') ? ps.stdout : undefined;
    });
    expect(status).to.match(/web/);

    const removed = await cli('rm', '-f', 'web');
    expect(removed.code, removed.stderr).to.equal(0);
    expect((await cli('ps', '-a')).stdout).to.not.include('web');
    await poll('the port to close', async () => {
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        return undefined;
      } catch {
        return true;
      }
    });
  });
});
