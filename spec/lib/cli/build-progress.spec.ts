// Progress modes of `tsbuild build`: how auto resolves, the json line format (documented in
// docs/cli.md), the tty view's rows, and json end to end through the CLI [root].
import { expect } from 'chai';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { BuildEvent } from '../../../lib/build.js';
import { progressJsonWriter } from '../../../lib/cli/progress-json.js';
import { progressMode } from '../../../lib/cli/progress-mode.js';
import { progressTty } from '../../../lib/cli/progress-tty.js';
import { makeBusyboxTar } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';

function capture(): { stream: PassThrough & { columns?: number }; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const base = { stage: 0, step: 0, steps: 2, text: 'RUN make' };
const started: BuildEvent = { ...base, type: 'step', phase: 'started', cached: false, metadataOnly: false };

describe('build progress', () => {
  it('auto is tty on a terminal and plain elsewhere; -q wins over everything', () => {
    expect(progressMode('auto', false, true)).to.equal('tty');
    expect(progressMode('auto', false, false)).to.equal('plain');
    expect(progressMode('json', false, true)).to.equal('json');
    expect(progressMode('tty', true, true)).to.equal('quiet');
  });

  it('json writes each event as one versioned, timed line', () => {
    const out = capture();
    const write = progressJsonWriter(out.stream, () => new Date(0));
    write(started);
    write({ ...base, type: 'log', stream: 'stdout', line: 'cc -o app' });
    const lines = out.text().split('\n');
    expect(lines).to.have.length(3);
    expect(JSON.parse(lines[0]!)).to.deep.equal({ v: 1, time: '1970-01-01T00:00:00.000Z', ...started });
    expect(JSON.parse(lines[1]!)).to.include({ type: 'log', stream: 'stdout', line: 'cc -o app', step: 0 });
  });

  it('tty shows running tails, CACHED, and keeps a failed step\'s output and error', () => {
    const out = capture();
    out.stream.columns = 80;
    let clock = 1000;
    const live = progressTty(out.stream, () => clock);
    live.onEvent({ ...base, step: 0, text: 'COPY . /src', type: 'step', phase: 'started', cached: false, metadataOnly: false });
    live.onEvent({ ...base, step: 0, text: 'COPY . /src', type: 'step', phase: 'finished', cached: true, metadataOnly: false, durationMs: 0 });
    live.onEvent({ ...started, step: 1 });
    live.onEvent({ ...base, step: 1, type: 'log', stream: 'stderr', line: 'make: *** [all] Error 2' });
    clock = 3500;
    live.onEvent({ ...started, step: 1, phase: 'finished', durationMs: 2500, error: 'process exited with status 2' });
    live.finish();
    const view = out.text();
    expect(view).to.match(/\[\+\] Building 2\.5s \(2\/2\) FINISHED/);
    expect(view).to.match(/✔ \[stage-0 2\/3\] COPY \. \/src +CACHED/);
    expect(view).to.match(/✗ \[stage-0 3\/3\] RUN make +ERROR 2\.5s/);
    expect(view).to.include(' => make: *** [all] Error 2\n => ERROR: process exited with status 2');
  });

  it('tty prints status lines above the live view, and under the final view once finished', () => {
    const out = capture();
    const live = progressTty(out.stream, () => 0);
    live.say('pulling busybox');
    live.onEvent({ ...started });
    live.finish();
    live.say('pushing app');
    const text = out.text();
    expect(text.startsWith('\x1b[Jpulling busybox\n')).to.equal(true);
    // After the final frame nothing moves the cursor up: the view stays and the line follows it.
    expect(text.endsWith('\x1b[Jpushing app\n')).to.equal(true);
    expect(text.slice(0, text.lastIndexOf('\x1b[J')).endsWith('\n')).to.equal(true);
  });

  describe('through the CLI [root]', function () {
    this.timeout(120_000);
    let root: string;

    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'tsbuild-progress-'));
      await makeBusyboxTar(join(root, 'busybox.tar'));
      expect((await runCli(['--root', root, 'import', join(root, 'busybox.tar'), 'busybox'])).code).to.equal(0);
      await mkdir(join(root, 'ctx'));
      await writeFile(join(root, 'ctx', 'Dockerfile'), 'FROM busybox\nENV A=1\nRUN echo built-$A\n');
    });

    after(() => rm(root, { recursive: true, force: true }));

    it('--progress json: step and log events, then the result', async () => {
      const run = await runCli(['--root', root, 'build', '--progress', 'json', '-t', 'p:json', join(root, 'ctx')]);
      expect(run.code, run.stderr).to.equal(0);
      const events = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events.every((event) => event.v === 1 && typeof event.time === 'string')).to.equal(true);
      expect(events.find((event) => event.type === 'log')).to.include({ line: 'built-1', stream: 'stdout', text: 'RUN echo built-$A' });
      const result = events.at(-1)!;
      expect(result).to.include({ type: 'result', imageId: run.stdout.trim() || result.imageId });
      expect(result.tags).to.deep.equal(['docker.io/library/p:json']);
      expect(result.cache).to.deep.equal({ hits: 0, misses: 1 });
    });

    it('rejects an unknown progress mode as a usage error', async () => {
      const run = await runCli(['--root', root, 'build', '--progress', 'fancy', join(root, 'ctx')]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.include('expected one of auto, tty, plain, json, quiet');
    });
  });
});
