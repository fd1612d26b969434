// Flag forms docker accepts or refuses that the parser must treat alike: a value flag given last
// with no value, `--bool=VALUE` spelt as Go's ParseBool does; and every command's --help lists
// every flag it takes, the build command every flag of the docker build list tsbuild supports.
import { expect } from 'chai';
import { buildFlags } from '../../../lib/cli/build-flags.js';
import { commands } from '../../../lib/cli/commands/index.js';
import { parseFlags } from '../../../lib/cli/options.js';
import { UsageError } from '../../../lib/errors.js';
import { runCli } from '../../support/run-cli.js';

describe('CLI flag forms', () => {
  it('a value flag last with no value is "flag needs an argument"', () => {
    expect(() => parseFlags(['-f'], buildFlags)).to.throw(UsageError, 'flag needs an argument: --file PATH');
    expect(() => parseFlags(['.', '--iidfile'], buildFlags)).to.throw(UsageError, 'flag needs an argument: --iidfile FILE');
    expect(parseFlags(['-f', 'x', '.'], buildFlags).flags.file).to.equal('x');
  });

  it('--bool=VALUE takes ParseBool spellings and refuses the rest', () => {
    const value = (arg: string) => parseFlags([arg, '.'], buildFlags).flags.pull;
    for (const yes of ['1', 't', 'T', 'true', 'TRUE', 'True']) expect(value(`--pull=${yes}`), yes).to.equal(true);
    for (const no of ['0', 'f', 'F', 'false', 'FALSE', 'False']) expect(value(`--pull=${no}`), no).to.equal(false);
    expect(parseFlags(['-q=false', '.'], buildFlags).flags.quiet).to.equal(false);
    expect(parseFlags(['--no-cache=false', '.'], buildFlags).flags['no-cache']).to.equal(false);
    expect(() => parseFlags(['--no-cache=maybe', '.'], buildFlags)).to.throw(UsageError, 'invalid argument "maybe" for "--no-cache" flag');
  });

  it('after a run command’s image, flag-looking words belong to the command', async () => {
    const run = await commands.find((command) => command.name === 'run')!.load();
    expect(parseFlags(['alpine', 'ls', '--color=maybe', '-f'], run.flags, true).positionals).to.deep.equal(['alpine', 'ls', '--color=maybe', '-f']);
  });

  it('build accepts every docker build flag of the issue’s list', () => {
    const names = new Set(buildFlags.flatMap((flag) => [`--${flag.name}`, ...(flag.alias ? [`-${flag.alias}`] : [])]));
    const wanted = ['-t', '-f', '--build-arg', '--target', '--no-cache', '--no-cache-filter', '--pull', '--label', '--network', '--progress', '-q', '--iidfile',
      '--metadata-file', '-o', '--output', '--secret', '--ssh', '--platform', '--build-context', '--add-host', '--push', '--cache-from', '--cache-to'];
    expect(wanted.filter((name) => !names.has(name))).to.deep.equal([]);
  });

  it('every command’s --help lists each of its flags', async () => {
    for (const command of await Promise.all(commands.map((entry) => entry.load()))) {
      const { code, stdout } = await runCli([command.name, '--help']);
      expect(code, command.name).to.equal(0);
      for (const flag of command.flags) {
        expect(stdout, `${command.name} --${flag.name}`).to.include(`--${flag.name}`);
        if (flag.alias) expect(stdout, `${command.name} -${flag.alias}`).to.include(`-${flag.alias}, --${flag.name}`);
      }
    }
  });
});
