// `tsbuild build` flags: --label as docker build reads it (expected values from docker build with
// BuildKit: CLI labels override LABEL, `--label solo` is an empty value, no history entry).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { labelsFrom, sshAgentsFrom } from '../../../lib/cli/build-flags.js';
import { UsageError } from '../../../lib/errors.js';
import { makeBusyboxTar } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';

describe('build flags', () => {
  it('--label K=V, K alone (empty), values with =, later wins', () => {
    expect(labelsFrom(['a=1', 'solo', 'c=x=y', 'a=2'])).to.deep.equal({ a: '2', solo: '', c: 'x=y' });
    expect(() => labelsFrom(['=v'])).to.throw(UsageError, 'the name is empty');
  });

  it('--ssh default (from SSH_AUTH_SOCK) and ID=SOCKET; no socket at all is a usage error', () => {
    expect(sshAgentsFrom(['default', 'work=run/agent.sock'], { SSH_AUTH_SOCK: '/tmp/a.sock' }, '/home/u')).to.deep.equal({ default: '/tmp/a.sock', work: '/home/u/run/agent.sock' });
    expect(() => sshAgentsFrom(['default'], {}, '/')).to.throw(UsageError, 'SSH_AUTH_SOCK is not set');
    expect(() => sshAgentsFrom(['default=/k1,/k2'], {}, '/')).to.throw(UsageError, 'only one agent socket');
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
      // As dockerd 26 shows a built image: the last history entry's comment, and no Created key.
      expect((await cli('inspect', '--format', '{{.Comment}}', 'lbl:1')).stdout).to.equal('buildkit.dockerfile.v0\n');
      expect(Object.keys(JSON.parse((await cli('inspect', '--format', '{{json .}}', 'lbl:1')).stdout))).to.not.include('Created');
      // Labelled by build() itself: no unlabelled copy of the image is left in the store.
      const rows = (await cli('images')).stdout.trim().split('\n').slice(1).map((row) => row.split(/\s+/).slice(0, 2).join(':'));
      expect(rows.sort()).to.deep.equal(['busybox:latest', 'lbl:1']);
    });

    it('context - reads a tar on stdin, with -f naming a file inside it', async () => {
      const dir = join(root, 'tarctx');
      await mkdir(dir);
      await writeFile(join(dir, 'hello.txt'), 'from the tar\n');
      await writeFile(join(dir, 'Other.Dockerfile'), 'FROM busybox\nCOPY hello.txt /hello.txt\n');
      const tar = execFileSync('tar', ['-C', dir, '-c', '.']);
      const built = await runCli(['--root', root, 'build', '-q', '-f', 'Other.Dockerfile', '-t', 'tar:1', '-'], { stdin: tar });
      expect(built.code, built.stderr).to.equal(0);
      const run = await cli('run', '--rm', 'tar:1', 'cat', '/hello.txt');
      expect(run.stdout).to.equal('from the tar\n');
      const missing = await runCli(['--root', root, 'build', '-q', '-f', '../etc/passwd', '-'], { stdin: tar });
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.include('the context tar has no regular file ../etc/passwd');
    });

    it('-f - reads the Dockerfile from stdin with a folder context', async () => {
      const built = await runCli(['--root', root, 'build', '-q', '-f', '-', '-t', 'stdin:1', join(root, 'ctx')], { stdin: 'FROM busybox\nLABEL from=stdin\n' });
      expect(built.code, built.stderr).to.equal(0);
      const [image] = JSON.parse((await cli('inspect', 'stdin:1')).stdout) as { Config: { Labels: Record<string, string> } }[];
      expect(image!.Config.Labels).to.deep.equal({ from: 'stdin' });
    });

    // busybox has no unix-socket client, so the step checks the forwarded socket is there; the
    // proxy's traffic is checked in spec/executor/run/ssh-mount.spec.ts.
    it('--ssh forwards the agent to RUN --mount=type=ssh', async () => {
      const socket = join(root, 'agent.sock');
      const agent = createServer((connection) => connection.on('data', (data) => connection.end(`agent:${data.toString()}`)));
      await new Promise<void>((done) => agent.listen(socket, done));
      try {
        await mkdir(join(root, 'sshctx'));
        await writeFile(join(root, 'sshctx', 'Dockerfile'), 'FROM busybox\nRUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "agent at $SSH_AUTH_SOCK"\n');
        const built = await runCli(['--root', root, 'build', '--progress', 'plain', '--ssh', 'default', join(root, 'sshctx')], { env: { SSH_AUTH_SOCK: socket } });
        expect(built.code, built.stderr).to.equal(0);
        expect(built.stderr).to.match(/#\d+ [\d.]+ agent at \/run\/buildkit\/ssh_agent\.0/);
      } finally {
        agent.close();
      }
    });

    it('unknown flags are usage errors with a suggestion', async () => {
      const run = await cli('build', '--lable', 'a=b', join(root, 'ctx'));
      expect(run.code).to.equal(2);
      expect(run.stderr).to.include('unknown flag: --lable (did you mean --label?)');
    });
  });
});
