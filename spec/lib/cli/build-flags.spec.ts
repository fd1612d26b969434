// `tsbuild build` flags: --label as docker build reads it (expected values from docker build with
// BuildKit: CLI labels override LABEL, `--label solo` is an empty value, no history entry).
import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFrom } from '../../../lib/cli/build-flags.js';
import { UsageError } from '../../../lib/errors.js';
import { makeBusyboxTar } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';

describe('build flags', () => {
  it('--label K=V, K alone (empty), values with =, later wins', () => {
    expect(labelsFrom(['a=1', 'solo', 'c=x=y', 'a=2'])).to.deep.equal({ a: '2', solo: '', c: 'x=y' });
    expect(() => labelsFrom(['=v'])).to.throw(UsageError, 'the name is empty');
  });

  describe('through the CLI [root]', function () {
    this.timeout(120_000);
    let root: string;
    const cli = (...args: string[]) => runCli(['--root', root, ...args]);

    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'tsbuild-flags-'));
      await makeBusyboxTar(join(root, 'busybox.tar'));
      expect((await cli('import', join(root, 'busybox.tar'), 'busybox')).code).to.equal(0);
      await mkdir(join(root, 'ctx'));
      await writeFile(join(root, 'ctx', 'Dockerfile'), 'FROM busybox\nLABEL a=from-file b=keep\n');
    });

    after(() => rm(root, { recursive: true, force: true }));

    it('--label overrides LABEL, adds labels, and leaves the history alone', async () => {
      const built = await cli('build', '-q', '--label', 'a=cli', '--label', 'solo', '--label', 'c=x=y', '-t', 'lbl:1', join(root, 'ctx'));
      expect(built.code, built.stderr).to.equal(0);
      const [image] = JSON.parse((await cli('inspect', 'lbl:1')).stdout) as { Id: string; Config: { Labels: Record<string, string> } }[];
      expect(image!.Config.Labels).to.deep.equal({ a: 'cli', b: 'keep', c: 'x=y', solo: '' });
      expect(image!.Id).to.equal(built.stdout.trim());
      const history = (await cli('history', '--no-trunc', '--format', '{{.CreatedBy}}', 'lbl:1')).stdout;
      expect(history).to.not.include('cli');
    });

    it('unknown flags are usage errors with a suggestion', async () => {
      const run = await cli('build', '--lable', 'a=b', join(root, 'ctx'));
      expect(run.code).to.equal(2);
      expect(run.stderr).to.include('unknown flag: --lable (did you mean --label?)');
    });
  });
});
