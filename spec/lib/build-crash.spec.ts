// kill -9 of a CLI build at several moments (blob ingest, record write, tag write, mid-RUN), then
// a plain rebuild on the same root: it must succeed without manual repair, give the image a clean
// build gives in a fresh root, leave a root `tsbuild verify` finds sound, and leave no mounts.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageIdOf, makeCrashRoot, mountsUnder, spawnCli } from './build-crash-support.js';

describe('tsbuild build killed with SIGKILL [root]', function () {
  this.timeout(180000);
  let parent: string;
  let cleanImageId: string;

  before(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tsbuild-crash-'));
    const clean = await makeCrashRoot(parent, 'clean');
    cleanImageId = imageIdOf(await spawnCli(['--root', clean.root, 'build', '-q', '-t', 'crash:x', clean.context]));
  });
  after(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  const cases: { name: string; env?: Record<string, string>; killWhen?: RegExp }[] = [
    { name: 'during blob ingest, before the blob is renamed into place', env: { TSBUILD_FAILPOINTS: 'content.beforeRename=kill' } },
    { name: 'during blob ingest, after the temp file is written', env: { TSBUILD_FAILPOINTS: 'content.afterWrite=kill' } },
    { name: 'right after a blob is renamed into place', env: { TSBUILD_FAILPOINTS: 'content.afterRename=kill' } },
    { name: 'during a cache record write', env: { TSBUILD_FAILPOINTS: 'index.beforeRename=kill' } },
    { name: 'right after a cache record is renamed into place', env: { TSBUILD_FAILPOINTS: 'index.afterRename=kill' } },
    { name: 'during an atomic file write (tag, stat cache)', env: { TSBUILD_FAILPOINTS: 'atomic.beforeRename=kill' } },
    { name: 'during a RUN (once it printed its first line)', killWhen: /run-started/ },
  ];

  for (const [index, testCase] of cases.entries()) {
    it(`killed ${testCase.name}: the rebuild gives the clean image, verify passes, no mounts remain`, async () => {
      const { root, context } = await makeCrashRoot(parent, `case-${index}`);
      const killed = await spawnCli(['--root', root, 'build', '--progress', 'plain', '-t', 'crash:x', context], testCase.env, testCase.killWhen);
      expect(killed.signal, killed.output).to.equal('SIGKILL');

      const rebuilt = await spawnCli(['--root', root, 'build', '-q', '-t', 'crash:x', context]);
      expect(rebuilt.code, rebuilt.output).to.equal(0);
      expect(imageIdOf(rebuilt)).to.equal(cleanImageId);

      const verified = await spawnCli(['--root', root, 'verify']);
      expect(verified.code, verified.output).to.equal(0);
      expect(verified.output).to.match(/0 damaged blobs, 0 dropped records/);
      expect(await mountsUnder(root)).to.deep.equal([]);

      // The tag points at a usable image: a second rebuild is fully cached and gives the same ID.
      const again = await spawnCli(['--root', root, 'build', '--progress', 'plain', '-t', 'crash:x', context]);
      expect(again.code, again.output).to.equal(0);
      expect((again.output.match(/CACHED/g) ?? []).length, again.output).to.equal(3);
    });
  }
});
