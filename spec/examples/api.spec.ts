// examples/api/build.mjs, the library example, run as a user would run it [root]: it builds
// examples/hello through `import { build } from 'tsbuild'`, reports progress from events, and
// tells a Dockerfile error and a cancelled build apart by their error codes.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeBusyboxTar } from '../support/busybox-image.js';
import { runCli } from '../support/run-cli.js';

const program = resolve('examples/api/build.mjs');

interface ProgramRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runProgram(root: string, args: readonly string[]): Promise<ProgramRun> {
  return new Promise((done) => {
    execFile(process.execPath, [program, ...args], { env: { ...process.env, TSBUILD_ROOT: root } }, (error, stdout, stderr) => {
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('examples/api/build.mjs [root]', function () {
  this.timeout(180_000);
  let root: string;
  let scratch: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-api-example-'));
    scratch = await mkdtemp(join(tmpdir(), 'tsbuild-api-context-'));
    const tar = join(scratch, 'busybox.tar');
    await makeBusyboxTar(tar);
    const imported = await runCli(['--root', root, 'import', tar, 'busybox']);
    expect(imported.code, imported.stderr).to.equal(0);
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it('builds examples/hello, printing steps, then CACHED on the second run', async () => {
    const first = await runProgram(root, ['examples/hello', 'hello:api']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.include("[stage-0 1/2] RUN echo 'Hello, Docker!' > /hello.txt");
    expect(first.stdout).to.match(/\[stage-0 1\/2\] done in \d+ ms/);
    expect(first.stdout).to.match(/^image sha256:[0-9a-f]{64}$/m);
    expect(first.stdout).to.include('tags docker.io/library/hello:api');
    expect(first.stdout).to.include('cache hits=0 misses=1');
    const second = await runProgram(root, ['examples/hello', 'hello:api']);
    expect(second.stdout).to.include('[stage-0 1/2] CACHED');
    expect(second.stdout).to.include('cache hits=1 misses=0');
    expect(second.stdout.match(/^image .*$/m)?.[0]).to.equal(first.stdout.match(/^image .*$/m)?.[0]);
  });

  it('reports a Dockerfile error by its code, with the line, and exits 2', async () => {
    const context = join(scratch, 'broken');
    await rm(context, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(context));
    await writeFile(join(context, 'Dockerfile'), 'FROM busybox\nCOPY\n');
    const run = await runProgram(root, [context]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/^the Dockerfile is wrong: .*/m);
    expect(run.stderr).to.include('COPY');
  });

  it('cancels a long step through its AbortSignal and says so', async () => {
    const context = join(scratch, 'slow');
    await rm(context, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(context));
    await writeFile(join(context, 'Dockerfile'), 'FROM busybox\nRUN sleep 60\n');
    const begin = Date.now();
    const run = await runProgram(root, [context, 'slow:api', '--timeout', '2']);
    expect(run.stderr).to.include('build cancelled');
    expect(run.code).to.equal(130);
    expect(Date.now() - begin).to.be.below(30_000);
  });
});
