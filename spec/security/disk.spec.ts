// SECURITY E6 (runaway write) and F4 (a full disk) through build(): a RUN that writes without end
// is stopped by the disk guard and fails as a step, with a quota or with the default free-space
// reserve; a root on a small tmpfs filled by a RUN fails the build clearly, keeps every image and
// cache record stored before, verifies clean, and builds again afterwards.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../../cache/gc.js';
import { createRootFolders, rootLayout } from '../../cache/root.js';
import { defaultReserve } from '../../executor/sandbox/disk-guard.js';
import { build } from '../../lib/build.js';
import { importRootfs } from '../../lib/store/import-rootfs.js';
import { ImageStore } from '../../lib/store/image-store.js';
import type { BuildFixture } from '../lib/build-fixtures.js';
import { readImageFile } from '../lib/build-fixtures.js';
import { makeBusyboxRootfs } from '../support/busybox-rootfs.js';
import { useHostileBuild } from './hostile-build.js';

function freeBytes(dir: string): number {
  const info = statfsSync(dir);
  return info.bavail * info.bsize;
}

describe('security E6/F4: runaway writes and a full disk [root]', function () {
  this.timeout(300000);

  describe('the RUN disk quota', () => {
    const hostile = useHostileBuild();

    for (const [what, command] of [
      ['one growing file (dd)', 'dd if=/dev/zero of=/big bs=1M count=100000'],
      ['many 1 MiB files (RLIMIT_FSIZE would not stop this)', 'i=0; while true; do head -c 1048576 /dev/zero > /f$i || exit 1; i=$((i+1)); done'],
    ]) {
      it(`stops ${what} past --run-disk-quota 64 MiB, fails the step, and gives the space back`, async () => {
        const before = freeBytes(hostile().fixture.root);
        const started = Date.now();
        const result = await hostile().attempt(`FROM busybox:test\nRUN ${command}\n`, { network: 'none', noCache: true, runDiskQuota: 64 << 20 });
        expect(result).to.be.instanceOf(Error);
        expect((result as Error).message).to.match(/it wrote more than its disk quota of 64\.0 MiB/);
        expect(Date.now() - started).to.be.below(120000);
        expect(before - freeBytes(hostile().fixture.root), 'space held after the build').to.be.below(16 << 20);
        expect(await readdir(hostile().fixture.layout.tmp)).to.deep.equal([]);
      });
    }

    it('a step under the quota is not disturbed', async () => {
      const result = await hostile().attempt('FROM busybox:test\nRUN head -c 8000000 /dev/zero > /f && sync\n', { network: 'none', noCache: true, runDiskQuota: 64 << 20 });
      expect(result).not.to.be.instanceOf(Error);
    });
  });

  describe('a root on a small tmpfs', () => {
    let mountPoint: string | undefined;
    let fixture: BuildFixture;

    before(async function () {
      if (process.getuid?.() !== 0) this.skip();
      mountPoint = await mkdtemp(join(tmpdir(), 'tsbuild-fullroot-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m,mode=0700', 'tmpfs', mountPoint]);
      fixture = await tmpfsFixture(mountPoint);
    });
    after(async () => {
      if (mountPoint === undefined) return;
      execFileSync('umount', ['-l', mountPoint]);
      await rmdir(mountPoint);
    });

    it('the default reserve is 5% of the disk, at most 2 GiB', () => {
      expect(defaultReserve(96 << 20)).to.equal(Math.floor((96 << 20) * 0.05));
      expect(defaultReserve(1024 ** 4)).to.equal(2 * 1024 ** 3);
    });

    it('a RUN that fills it fails clearly; what was stored before survives and verifies; the next build works', async () => {
      const run = (text: string, tags: string[] = []) =>
        build({ context: fixture.context, dockerfileText: text, root: fixture.root, tags, network: 'none', onWarning: () => undefined }).then(
          () => undefined,
          (error: Error) => error,
        );
      expect(await run('FROM busybox:test\nRUN echo kept > /kept\n', ['kept:1'])).to.equal(undefined);
      const started = Date.now();
      const error = await run('FROM busybox:test\nRUN dd if=/dev/zero of=/big bs=1M\n');
      expect(error, 'the filling build fails').to.be.instanceOf(Error);
      // Stopped by the reserve, or (a writer faster than the poll) by ENOSPC: either names the step.
      expect(error!.message).to.match(/was stopped: the disk holding the build is nearly full|exit code: 1/);
      expect(error!.message).to.match(/dd if=\/dev\/zero/);
      expect(Date.now() - started).to.be.below(120000);
      const report = await verify(fixture.layout);
      expect(report.badBlobs).to.deep.equal([]);
      expect(report.droppedRecords).to.deep.equal([]);
      expect(await readImageFile(fixture, 'kept:1', 'kept')).to.equal('kept\n');
      expect(freeBytes(fixture.root), 'the space is given back').to.be.above(48 << 20);
      expect(await run('FROM busybox:test\nRUN echo again > /again\n', ['again:1'])).to.equal(undefined);
      expect(await readImageFile(fixture, 'again:1', 'again')).to.equal('again\n');
      const mounts = await readFile('/proc/self/mountinfo', 'utf8');
      expect(mounts.split('\n').filter((line) => line.includes(`${mountPoint}/`))).to.deep.equal([]);
    });
  });
});

/** A build fixture (busybox:test, a context) whose root lives on the tmpfs at `mountPoint`. */
async function tmpfsFixture(mountPoint: string): Promise<BuildFixture> {
  const layout = rootLayout(join(mountPoint, 'root'));
  await createRootFolders(layout);
  const scratch = await mkdtemp(join(tmpdir(), 'tsbuild-fullroot-src-'));
  try {
    const rootfs = join(scratch, 'busybox');
    await mkdir(rootfs);
    await makeBusyboxRootfs(rootfs);
    const tar = join(scratch, 'busybox.tar');
    execFileSync('tar', ['-C', rootfs, '--numeric-owner', '-cf', tar, '.']);
    const busybox = await importRootfs(await ImageStore.open(layout), tar, { name: 'busybox:test' });
    const context = join(mountPoint, 'context');
    await mkdir(context);
    return { dir: mountPoint, root: layout.root, layout, context, busybox, dispose: async () => undefined };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
