import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandServer, quoteWord } from '../../../executor/snapshot/command-server.js';
import { runHostCommand } from '../../../executor/snapshot/host-command.js';

describe('executor/snapshot: the host command shell', () => {
  let server: CommandServer;
  let dir: string;
  before(async () => {
    server = CommandServer.start()!;
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-cmd-spec-'));
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('passes every argument through unchanged, quotes, newlines and shell syntax included', async () => {
    const args = ["it's", 'a\nb', '$HOME', '`id`', '$(id)', '"x"', '\\n', '*', '', ' spaced ', ';', '|', "'"];
    const result = await server.run('/usr/bin/printf', ['%s\\0', ...args], dir, process.env);
    expect(result.status).to.equal(0);
    expect(result.stdout.split('\0').slice(0, -1)).to.deep.equal(args);
  });

  it('runs in the given folder with added variables, and reports status and stderr', async () => {
    await writeFile(join(dir, 'here'), 'x');
    const listed = await server.run('/bin/ls', ['here'], dir, process.env);
    expect(listed.stdout).to.equal('here\n');
    const env = await server.run('/usr/bin/env', [], dir, { ...process.env, TSB_SPEC_VAR: "a 'b'\nc" });
    expect(env.stdout).to.include("TSB_SPEC_VAR=a 'b'\nc\n");
    const failed = await server.run('/bin/ls', ['missing-file'], dir, process.env);
    expect(failed.status).to.equal(2);
    expect(failed.stderr).to.include('missing-file');
  });

  it('runs requests at once: a slow command does not hold up a quick one', async () => {
    const order: string[] = [];
    const slow = server.run('/bin/sleep', ['0.5'], dir, process.env).then(() => order.push('slow'));
    const quick = server.run('/bin/true', [], dir, process.env).then(() => order.push('quick'));
    await Promise.all([slow, quick]);
    expect(order).to.deep.equal(['quick', 'slow']);
  });

  it('cannot drop a variable of its own environment, so such a command is spawned directly', () => {
    const env = { ...process.env };
    delete env.PATH;
    expect(server.canRun(env)).to.equal(false);
    expect(server.canRun(process.env)).to.equal(true);
  });

  it('is what runHostCommand uses: a failure names the tool and carries its stderr', async () => {
    await runHostCommand('cp', ['--', join(dir, 'nothing'), join(dir, 'copy')]).then(
      () => expect.fail('cp of a missing file succeeded'),
      (error: Error) => expect(error.message).to.match(/^cp -- .*nothing.* failed: .*No such file/),
    );
    await runHostCommand('cp', ['--', join(dir, 'here'), join(dir, 'copy')]);
    expect(await readFile(join(dir, 'copy'), 'utf8')).to.equal('x');
  });

  it('quotes words so that the shell reads them back literally', () => {
    expect(quoteWord("a'b")).to.equal("'a'\\''b'");
    expect(quoteWord('a\nb')).to.equal(`'a'"$NL"'b'`);
  });

  it('a starting server removes the output folders of servers whose process is gone, and keeps live ones', async () => {
    const dead = join(tmpdir(), 'tsbuild-cmd-2147483000-spec'); // above any pid_max: never a live process
    const live = join(tmpdir(), `tsbuild-cmd-${process.pid}-spec`);
    await mkdir(dead, { recursive: true });
    await mkdir(live, { recursive: true });
    try {
      CommandServer.start();
      expect(await stat(dead).then(() => true, () => false)).to.equal(false);
      expect(await stat(live).then(() => true, () => false)).to.equal(true);
    } finally {
      await rm(dead, { recursive: true, force: true });
      await rm(live, { recursive: true, force: true });
    }
  });
});
