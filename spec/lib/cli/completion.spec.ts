// `tsbuild completion bash|zsh|fish`: scripts generated from the command table name every command
// and every flag; the bash one is run in bash to check what it offers.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../../lib/cli/commands/index.js';
import { globalFlags } from '../../../lib/cli/options.js';
import { runCli } from '../../support/run-cli.js';

function hasShell(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

describe('tsbuild completion', () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    it(`${shell}: names every command, and every flag of every command`, async () => {
      const { code, stdout } = await runCli(['completion', shell]);
      expect(code).to.equal(0);
      for (const command of await Promise.all(commands.map((entry) => entry.load()))) {
        expect(stdout, command.name).to.match(new RegExp(`\\b${command.name}\\b`));
        for (const flag of [...command.flags, ...globalFlags]) {
          // fish writes `-l NAME`, the others `--NAME`.
          expect(stdout.includes(`--${flag.name}`) || stdout.includes(`-l ${flag.name} `), `${command.name} --${flag.name}`).to.equal(true);
          if (flag.choices) for (const choice of flag.choices) expect(stdout, `${flag.name} ${choice}`).to.include(choice);
        }
      }
    });
  }

  it('an unknown or missing shell is a usage error', async () => {
    expect((await runCli(['completion', 'tcsh'])).code).to.equal(2);
    expect((await runCli(['completion'])).stderr).to.match(/one of bash, zsh, fish/);
  });

  it('bash: the script parses and completes commands, flags and flag choices', async function () {
    if (!hasShell('bash')) this.skip();
    const dir = await mkdtemp(join(tmpdir(), 'tsbuild-completion-'));
    try {
      await writeFile(join(dir, 'completion.bash'), (await runCli(['completion', 'bash'])).stdout);
      const probe = [
        `source ${join(dir, 'completion.bash')}`,
        't() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _tsbuild; echo "${COMPREPLY[*]}"; }',
        't tsbuild bu', 't tsbuild build --prog', "t tsbuild build --progress ''", 't tsbuild --root /x run --netw', "t tsbuild run --network ''", 't tsbuild --vers',
      ].join('\n');
      const lines = execFileSync('bash', ['-c', probe], { cwd: dir, encoding: 'utf8' }).split('\n');
      expect(lines.slice(0, 6)).to.deep.equal(['build', '--progress', 'auto tty plain json quiet', '--network', 'default host none', '--version']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const shell of ['zsh', 'fish']) {
    it(`${shell}: the script parses`, async function () {
      if (!hasShell(shell)) {
        this.test!.title += ` (skipped: no ${shell} here)`;
        this.skip();
      }
      const script = (await runCli(['completion', shell])).stdout;
      execFileSync(shell, ['-n'], { input: script });
    });
  }
});
