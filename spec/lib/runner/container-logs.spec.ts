// `logs`: --tail picks the last lines of what is there; --follow copies what is appended until the
// container stops (unit, a plain file standing in for the log) and, end to end [root], follows a
// detached busybox container to its exit.
import { expect } from 'chai';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { copyContainerLog } from '../../../lib/runner/container-logs.js';
import { importBusybox } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';

async function copied(path: string, options: Parameters<typeof copyContainerLog>[2]): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await copyContainerLog(path, out, options);
  return text;
}

describe('lib/runner container logs', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'tsbuild-logs-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('--tail N gives the last N lines; 0 none; a missing log is empty', async () => {
    const log = join(dir, 'container.log');
    await writeFile(log, 'one\ntwo\nthree\n');
    const notRunning = async () => false;
    expect(await copied(log, { follow: false, running: notRunning })).to.equal('one\ntwo\nthree\n');
    expect(await copied(log, { follow: false, tail: 2, running: notRunning })).to.equal('two\nthree\n');
    expect(await copied(log, { follow: false, tail: 5, running: notRunning })).to.equal('one\ntwo\nthree\n');
    expect(await copied(log, { follow: false, tail: 0, running: notRunning })).to.equal('');
    expect(await copied(join(dir, 'absent.log'), { follow: false, running: notRunning })).to.equal('');
  });

  it('--follow copies what is appended while the container runs, and what it wrote last', async () => {
    const log = join(dir, 'container.log');
    await writeFile(log, 'start\n');
    let checks = 0;
    const running = async () => {
      checks++;
      if (checks === 2) await appendFile(log, 'middle\n');
      if (checks === 3) await appendFile(log, 'last\n');
      return checks < 3;
    };
    expect(await copied(log, { follow: true, running, pollMs: 5 })).to.equal('start\nmiddle\nlast\n');
  });

  describe('through the CLI [root]', function () {
    this.timeout(120_000);
    let root: string;
    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'tsbuild-logs-cli-'));
      await importBusybox(root);
    });
    after(() => rm(root, { recursive: true, force: true }));

    it('logs -f follows a detached container until it exits; --tail 1 shows its last line', async () => {
      const started = await runCli(['--root', root, 'run', '-d', '--name', 'talker', 'localhost/busybox:test', 'sh', '-c', 'echo one; sleep 1; echo two; sleep 1; echo three']);
      expect(started.code, started.stderr).to.equal(0);
      const followed = await runCli(['--root', root, 'logs', '-f', 'talker']);
      expect(followed.code, followed.stderr).to.equal(0);
      expect(followed.stdout).to.equal('one\ntwo\nthree\n');
      const tail = await runCli(['--root', root, 'logs', '--tail', '1', 'talker']);
      expect(tail.stdout).to.equal('three\n');
      expect((await runCli(['--root', root, 'logs', '--tail', 'x', 'talker'])).code).to.equal(2);
      expect((await runCli(['--root', root, 'rm', 'talker'])).code).to.equal(0);
    });
  });
});
