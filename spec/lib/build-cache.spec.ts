// Cache keys seen through whole builds: what keeps a step cached (mtime, atime, unused build args)
// and what invalidates exactly the steps that depend on it (a byte, a mode, an owner, a build arg
// RUN sees), plus --no-cache and the CLI's --explain-cache naming what changed.
import { expect } from 'chai';
import { chmod, chown, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildEvent, type BuildOptions, type BuildResult } from '../../lib/build.js';
import { runCli } from '../support/run-cli.js';
import { makeBuildFixture, type BuildFixture } from './build-fixtures.js';

// Four steps that produce layers (ARG is metadata only and never counted).
const DOCKERFILE = [
  'FROM busybox:test',
  'ARG VERSION=1.0',
  'COPY a.txt /a.txt',
  'RUN cat /a.txt > /from-a && echo "$VERSION" > /version',
  'COPY b.txt /b.txt',
  'RUN cat /b.txt > /from-b',
  '',
].join('\n');

describe('lib/build cache invalidation [root]', function () {
  this.timeout(180000);
  let fixture: BuildFixture;
  let first: BuildResult;

  before(async () => {
    fixture = await makeBuildFixture();
    await writeFile(join(fixture.context, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(fixture.context, 'a.txt'), 'alpha\n');
    await writeFile(join(fixture.context, 'b.txt'), 'bravo\n');
    first = await buildCtx();
  });
  after(async () => {
    await fixture.dispose();
  });

  function buildCtx(options: Partial<BuildOptions> = {}): Promise<BuildResult> {
    return build({ context: fixture.context, root: fixture.root, ...options });
  }

  /** Builds and returns which step texts were cached, in order. */
  async function cachedSteps(options: Partial<BuildOptions> = {}): Promise<{ result: BuildResult; cached: Record<string, boolean> }> {
    const events: BuildEvent[] = [];
    const result = await buildCtx({ ...options, onEvent: (event) => events.push(event) });
    const cached: Record<string, boolean> = {};
    for (const event of events) {
      if (event.type === 'step' && event.phase === 'started' && !event.metadataOnly) cached[event.text] = event.cached;
    }
    return { result, cached };
  }

  /** Runs `change`, checks the build against `expected`, undoes it and checks all is cached again. */
  async function expectInvalidates(change: () => Promise<void>, undo: () => Promise<void>, expected: Record<string, boolean>): Promise<void> {
    await change();
    try {
      const { result, cached } = await cachedSteps();
      expect(cached).to.deep.equal(expected);
      expect(result.stages[0]!.key).to.not.equal(first.stages[0]!.key);
    } finally {
      await undo();
    }
    const again = await buildCtx();
    expect(again.cache).to.deep.equal({ hits: 4, misses: 0 });
    expect(again.imageId).to.equal(first.imageId);
  }

  it('the first build runs every step', () => {
    expect(first.cache).to.deep.equal({ hits: 0, misses: 4 });
  });

  it('touching mtime and atime of every context file keeps every step cached', async () => {
    for (const name of ['a.txt', 'b.txt', 'Dockerfile']) {
      await utimes(join(fixture.context, name), new Date(Date.UTC(2001, 0, 1)), new Date(Date.now() + 3600_000));
    }
    const result = await buildCtx();
    expect(result.cache).to.deep.equal({ hits: 4, misses: 0 });
    expect(result.stages[0]!.key).to.equal(first.stages[0]!.key);
    expect(result.imageId).to.equal(first.imageId);
  });

  it('one changed byte of b.txt reruns COPY b.txt and what follows; COPY a.txt and its RUN stay cached', async () => {
    const path = join(fixture.context, 'b.txt');
    await expectInvalidates(() => writeFile(path, 'bravO\n'), () => writeFile(path, 'bravo\n'), stepMap(true, true, false, false));
  });

  it('a changed mode of b.txt invalidates exactly COPY b.txt and later steps', async () => {
    const path = join(fixture.context, 'b.txt');
    const mode = (await stat(path)).mode & 0o7777;
    await expectInvalidates(() => chmod(path, 0o600), () => chmod(path, mode), stepMap(true, true, false, false));
  });

  it('a changed owner of b.txt (chown) invalidates exactly COPY b.txt and later steps', async () => {
    const path = join(fixture.context, 'b.txt');
    const { uid, gid } = await stat(path);
    await expectInvalidates(() => chown(path, 4242, 4242), () => chown(path, uid, gid), stepMap(true, true, false, false));
  });

  it('a changed byte of a.txt invalidates every step from COPY a.txt on', async () => {
    const path = join(fixture.context, 'a.txt');
    await expectInvalidates(() => writeFile(path, 'alphA\n'), () => writeFile(path, 'alpha\n'), stepMap(false, false, false, false));
  });

  it('a build arg no step declares changes nothing', async () => {
    const result = await buildCtx({ buildArgs: { UNUSED: 'anything' } });
    expect(result.cache).to.deep.equal({ hits: 4, misses: 0 });
    expect(result.stages[0]!.key).to.equal(first.stages[0]!.key);
  });

  it('a build arg RUN sees changes the RUN key and the steps after it', async () => {
    const { result, cached } = await cachedSteps({ buildArgs: { VERSION: '2.0' } });
    const lines = DOCKERFILE.split('\n');
    expect([cached[lines[3]!], cached[lines[4]!], cached[lines[5]!]]).to.deep.equal([false, false, false]);
    expect(result.stages[0]!.key).to.not.equal(first.stages[0]!.key);
  });

  // BuildKit (Docker 26, same Dockerfile, --build-arg VERSION=3.0): `COPY a.txt /a.txt` is CACHED,
  // only the RUN reruns. tsbuild's ARG step puts the value into the chained key (executor/steps/arg.ts
  // describe), so the COPY between ARG and RUN misses too. Pending until ARG's op leaves out values.
  it('a build arg value does not invalidate a COPY that follows the ARG (BuildKit keeps it cached)', async () => {
    const { cached } = await cachedSteps({ buildArgs: { VERSION: '4.0' } });
    expect(cached).to.deep.equal(stepMap(true, false, false, false));
  });

  it('noCache runs every step, and gives the same keys', async () => {
    const result = await buildCtx({ noCache: true });
    expect(result.cache).to.deep.equal({ hits: 0, misses: 4 });
    expect(result.stages[0]!.key).to.equal(first.stages[0]!.key);
  });

  it('noCacheFilter runs the named stages\' steps only; an unknown stage changes nothing', async () => {
    expect((await buildCtx({ noCacheFilter: ['0'] })).cache).to.deep.equal({ hits: 0, misses: 4 });
    expect((await buildCtx({ noCacheFilter: ['other'] })).cache).to.deep.equal({ hits: 4, misses: 0 });
  });

  // The key holds only the selection's digest; the record's file lists (kept beside it) name the file.
  it('CLI --explain-cache names the changed file for a COPY miss', async () => {
    const path = join(fixture.context, 'b.txt');
    await writeFile(path, 'bravo, changed\n');
    try {
      const run = await runCli(['--root', fixture.root, 'build', '--progress', 'plain', '--explain-cache', fixture.context]);
      expect(run.code, run.stderr).to.equal(0);
      const output = run.stdout + run.stderr;
      const missLines = output.split('\n').filter((line) => /MISS/.test(line));
      expect(missLines.length, output).to.be.greaterThan(0);
      expect(missLines, output).to.include.members([`#${stepNumber(output, 'COPY b.txt /b.txt')} MISS COPY b.txt /b.txt: b.txt changed`]);
      expect(missLines.join('\n')).to.not.include('inputs[0].digest');
    } finally {
      await writeFile(path, 'bravo\n');
    }
  });

  it('CLI --explain-cache names the build arg for a RUN miss', async () => {
    const run = await runCli(['--root', fixture.root, 'build', '--progress', 'plain', '--explain-cache', '--build-arg', 'VERSION=3.0', fixture.context]);
    expect(run.code, run.stderr).to.equal(0);
    const missLines = (run.stdout + run.stderr).split('\n').filter((line) => /MISS/.test(line));
    expect(missLines.join('\n')).to.include('VERSION');
  });
});

function stepMap(copyA: boolean, runA: boolean, copyB: boolean, runB: boolean): Record<string, boolean> {
  const [, , copyAText, runAText, copyBText, runBText] = DOCKERFILE.split('\n');
  return { [copyAText!]: copyA, [runAText!]: runA, [copyBText!]: copyB, [runBText!]: runB };
}

/** The number plain progress gave the step with this text. */
function stepNumber(output: string, text: string): string {
  const line = output.split('\n').find((candidate) => candidate.endsWith(`] ${text}`));
  return line?.match(/^#(\d+) /)?.[1] ?? '?';
}
