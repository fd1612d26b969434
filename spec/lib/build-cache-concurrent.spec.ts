// Three `tsbuild build` processes of one Dockerfile at once on one root: all succeed with one image.
// The RUN writes nanoseconds of the clock into its layer (and leaves its mtimes unpinned), so a
// second execution could not give the same layer: one image ID proves the RUN ran once.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageIdOf, makeCrashRoot, mountsUnder, spawnCli } from './build-crash-support.js';

const RACE_DOCKERFILE = [
  'FROM localhost/busybox:test',
  'COPY a.txt /a.txt',
  'RUN sleep 1 && date +%s%N > /stamp',
  'COPY b.txt /b.txt',
  'RUN date +%s%N > /stamp2',
  '',
].join('\n');

describe('three builds of one Dockerfile at once on one root [root]', function () {
  this.timeout(180000);
  let parent: string;
  before(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tsbuild-race-'));
  });
  after(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('all succeed, give one image ID, and each RUN ran once', async () => {
    const { root, context } = await makeCrashRoot(parent, 'race', RACE_DOCKERFILE);
    const builds = await Promise.all([0, 1, 2].map((n) => spawnCli(['--root', root, 'build', '--progress', 'plain', '-t', `race:${n}`, context])));
    for (const run of builds) expect(run.code, run.output).to.equal(0);
    const ids = builds.map((run) => /writing image (sha256:[0-9a-f]{64})/.exec(run.output)?.[1]);
    expect(new Set(ids).size, ids.join(' ')).to.equal(1);
    expect(ids[0]).to.match(/^sha256:/);
    // Across the three, each of the four steps ran (DONE without CACHED) exactly once.
    const executed = builds.flatMap((run) => run.output.split('\n\n').filter((block) => /^#\d+ \[/.test(block) && !block.includes('CACHED')));
    expect(executed.length, builds.map((run) => run.output).join('\n----\n')).to.equal(4);

    const again = await spawnCli(['--root', root, 'build', '-q', context]);
    expect(imageIdOf(again)).to.equal(ids[0]);
    const verified = await spawnCli(['--root', root, 'verify']);
    expect(verified.code, verified.output).to.equal(0);
    expect(await mountsUnder(root)).to.deep.equal([]);
  });
});
