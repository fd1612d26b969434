// The argv of a RUN (shell and exec form, SHELL, heredoc shapes), BuildKit's failure text, and the
// process environment (proxies, PATH, HOME, secret variables) built from a stage state.
import { expect } from 'chai';
import { processFailedError, runCommand } from '../../../executor/run/command-line.js';
import { keyedEnv, processEnv } from '../../../executor/run/environment.js';
import { initialState } from '../../../executor/stage-state.js';
import type { StageState } from '../../../executor/steps/types.js';
import type { RunInstruction } from '../../../parser/instructions/run.js';
import { parseDockerfile } from '../../../parser/stages.js';

function runOf(line: string): RunInstruction {
  return parseDockerfile(`FROM scratch\n${line}\n`).stages[0]!.instructions[0] as RunInstruction;
}

function stateWith(env: readonly string[], args: StageState['args'] = []): StageState {
  const state = initialState({ stageIndex: 0, base: { config: { Env: env }, layers: [], history: [], key: 'k' }, platform: { os: 'linux', architecture: 'amd64' } });
  return { ...state, args, buildEnv: [...(state.buildEnv ?? []), ...args.flatMap((a) => (a.value === undefined ? [] : [`${a.name}=${a.value}`]))] };
}

describe('executor/run: command line', () => {
  it('runs shell form through the SHELL or /bin/sh -c, exec form as written', () => {
    expect(runCommand(runOf('RUN echo  hi'), undefined).args).to.deep.equal(['/bin/sh', '-c', 'echo  hi']);
    expect(runCommand(runOf('RUN echo hi'), ['/bin/bash', '-eo', 'pipefail', '-c']).args).to.deep.equal(['/bin/bash', '-eo', 'pipefail', '-c', 'echo hi']);
    expect(runCommand(runOf('RUN ["a", "b c"]'), ['/bin/bash', '-c']).args).to.deep.equal(['a', 'b c']);
  });

  it('runs a shebang heredoc from a 0755 file in the given folder, chomped for <<-', () => {
    const command = runCommand(runOf('RUN <<-EOF\n#!/usr/bin/env python3\n\tprint(1)\nEOF'), undefined, '/x');
    expect(command.args).to.deep.equal(['/bin/sh', '-c', '/x/EOF']);
    expect(command.script).to.deep.equal({ name: 'EOF', data: '#!/usr/bin/env python3\nprint(1)\n' });
  });

  it('hands other heredocs to the shell with their bodies and terminators', () => {
    const command = runCommand(runOf('RUN cat <<A <<-B > /f\na\nA\n\tb\n\tB'), undefined);
    expect(command.args).to.deep.equal(['/bin/sh', '-c', 'cat <<A <<-B > /f\na\nA\n\tb\nB']);
    expect(command.script).to.equal(undefined);
  });

  it('quotes the argv like Go\'s %q in the failure message', () => {
    expect(processFailedError(['/bin/sh', '-c', 'echo "x"\nexit 2\t'], 2).message).to.equal('process "/bin/sh -c echo \\"x\\"\\nexit 2\\t" did not complete successfully: exit code: 2');
    expect(processFailedError(['x'], 137).code).to.equal('E_STEP');
  });
});

describe('executor/run: process environment', () => {
  const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

  it('adds proxies in both spellings, secret variables and HOME; the key never sees proxies', () => {
    const state = stateWith(['PATH=/bin'], [{ name: 'http_proxy', value: 'declared' }, { name: 'V', value: '1' }]);
    const env = processEnv(state, new Map([['FTP_PROXY', 'ftp://x'], ['no_proxy', 'local']]), ['TOKEN=s'], '/root');
    expect(env).to.include.members(['PATH=/bin', 'V=1', 'FTP_PROXY=ftp://x', 'ftp_proxy=ftp://x', 'NO_PROXY=local', 'no_proxy=local', 'TOKEN=s', 'HOME=/root']);
    expect(keyedEnv(state)).to.deep.equal(['PATH=/bin', 'V=1']);
  });

  it('adds the default PATH when the stage has none and keeps a HOME the stage set', () => {
    const env = processEnv({ ...stateWith([]), buildEnv: ['HOME=/h'] }, new Map(), [], '/root');
    expect(env).to.deep.equal(['HOME=/h', PATH]);
  });
});
