// `tsbuild build` fetches base images: build() pulls a FROM image missing from the store,
// `--pull` pulls again even when present, and an automatic pull that fails says both that the
// image is not in the store and why the pull failed [server].
import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX_TAG, importBusybox } from '../../support/busybox-image.js';
import { registryAvailable, startRegistry, type RegistryServer } from '../../support/registry-server.js';
import { runCli } from '../../support/run-cli.js';

describe('build pulls base images', () => {
  describe('from a registry [server]', function () {
    this.timeout(120_000);
    let registry: RegistryServer;
    let dir: string;
    let name: string;

    before(async function () {
      if (!registryAvailable()) this.skip();
      registry = await startRegistry();
      dir = await mkdtemp(join(tmpdir(), 'tsbuild-build-pull-'));
      await importBusybox(join(dir, 'source'));
      name = `${registry.host}/tests/base:v1`;
      expect((await runCli(['--root', join(dir, 'source'), 'tag', BUSYBOX_TAG, name])).code).to.equal(0);
      const pushed = await runCli(['--root', join(dir, 'source'), 'push', name]);
      expect(pushed.code, pushed.stderr).to.equal(0);
      await mkdir(join(dir, 'ctx'));
      await writeFile(join(dir, 'ctx', 'Dockerfile'), `FROM ${name}\nLABEL pulled=yes\n`);
    });

    after(async () => {
      await registry?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('pulls a missing FROM image, then uses the stored one; --pull fetches it again', async () => {
      const root = join(dir, 'fresh');
      const first = await runCli(['--root', root, 'build', '--progress', 'plain', '-t', 'app:1', join(dir, 'ctx')]);
      expect(first.code, first.stderr).to.equal(0);
      expect(first.stderr).to.include(`pulling ${name}`);
      expect((await runCli(['--root', root, 'images'])).stdout).to.include(`${registry.host}/tests/base`);
      const second = await runCli(['--root', root, 'build', '--progress', 'plain', '-t', 'app:1', join(dir, 'ctx')]);
      expect(second.stderr).to.not.include('pulling');
      const refreshed = await runCli(['--root', root, 'build', '--pull', '--progress', 'plain', join(dir, 'ctx')]);
      expect(refreshed.code, refreshed.stderr).to.equal(0);
      expect(refreshed.stderr).to.include(`pulling ${name}`);
    });

    it('a failed automatic pull ends in the store message; a failed --pull is the error', async () => {
      await writeFile(join(dir, 'ctx', 'Missing.Dockerfile'), `FROM ${registry.host}/tests/nosuch:v1\n`);
      const root = join(dir, 'other');
      const auto = await runCli(['--root', root, 'build', '-f', join(dir, 'ctx', 'Missing.Dockerfile'), join(dir, 'ctx')]);
      expect(auto.code).to.equal(1);
      expect(auto.stderr).to.include(`is not in the tsbuild store and pulling it failed: ${registry.host}/tests/nosuch:v1`);
      const forced = await runCli(['--root', root, 'build', '--pull', '-f', join(dir, 'ctx', 'Missing.Dockerfile'), join(dir, 'ctx')]);
      expect(forced.code).to.equal(1);
      expect(forced.stderr).to.not.include('is not in the tsbuild store');
    });
  });
});
