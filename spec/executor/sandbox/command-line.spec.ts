// The sandbox's command line, checked without running it: which namespaces, which credentials,
// and that the step's environment values never appear in an argv (host `ps` shows argv to anyone).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { capabilityArgs } from '../../../executor/sandbox/capabilities.js';
import { sandboxCommand, shellQuote, type CommandInput } from '../../../executor/sandbox/command-line.js';
import type { HostTools } from '../../../executor/sandbox/host-tools.js';
import type { RunSpec } from '../../../executor/sandbox/types.js';

const tools: HostTools = {
  unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv', mount: '/usr/bin/mount', umount: '/usr/bin/umount',
  pivotRoot: '/usr/sbin/pivot_root', env: '/usr/bin/env', cp: '/usr/bin/cp', mkdir: '/usr/bin/mkdir',
  chown: '/usr/bin/chown', shell: '/usr/bin/bash', hostname: '/usr/bin/hostname', prlimit: '/usr/bin/prlimit', script: '/usr/bin/script',
};

const spec: RunSpec = {
  rootfs: '/rootfs', args: ['sh', '-c', 'echo hi'], env: ['PATH=/bin', 'TOKEN=s3cr3t-value'], cwd: '/work', uid: 1000, gid: 1001,
  additionalGids: [20], hostname: 'box', network: 'none', mounts: [],
};

function input(overrides: Partial<CommandInput> = {}): CommandInput {
  return {
    spec, tools, privileges: { kind: 'root' }, stagingDir: '/dev/shm/tsbuild-sandbox-x', rootName: 'r-0123',
    targets: { etcTargets: [], userMounts: [], stagedSources: [], cwdBase: '/r-0123', cwdCreate: ['work'] },
    cgroup: undefined, limits: {}, readonlyRemount: 'remount,bind,ro', ...overrides,
  };
}

describe('executor/sandbox/command-line', () => {
  it('creates mount, uts, ipc and pid namespaces, a network namespace for none, and dies with node', () => {
    const { file, args } = sandboxCommand(input());
    expect(file).to.equal('/usr/bin/setpriv');
    expect(args.slice(0, 3)).to.deep.equal(['--pdeathsig=KILL', '--', '/usr/bin/unshare']);
    expect(args).to.include.members(['--mount', '--uts', '--ipc', '--pid', '--fork', '--kill-child', '--net']);
    expect(args).to.not.include('--user');
    expect(sandboxCommand(input({ spec: { ...spec, network: 'host' } })).args).to.not.include('--net');
  });

  it('enters a user namespace when rootless, with subordinate ids when configured', () => {
    const single = sandboxCommand(input({ privileges: { kind: 'rootless', mapping: 'single' } })).args;
    expect(single).to.include.members(['--user', '--map-root-user', '--keep-groups']);
    const subid = sandboxCommand(input({ privileges: { kind: 'rootless', mapping: 'subid' } })).args;
    expect(subid).to.include.members(['--map-users=auto', '--map-groups=auto', '--groups=20']);
  });

  it('sets gid, groups and capabilities with setpriv, then chroots, changes directory and sets the uid', () => {
    const { args } = sandboxCommand(input());
    const chain = args.slice(args.indexOf('--regid=1001') - 1);
    expect(chain.slice(0, 3)).to.deep.equal(['/usr/bin/setpriv', '--regid=1001', '--groups=20']);
    expect(chain).to.include.members(capabilityArgs());
    expect(chain.slice(chain.indexOf('/usr/bin/env'), chain.indexOf('/usr/bin/env') + 3)).to.deep.equal(['/usr/bin/env', '-i', '--']);
    expect(chain.slice(-8)).to.deep.equal(['/usr/bin/unshare', '--root=/r-0123', '--wd=/work', '--setuid=1000', '--', 'sh', '-c', 'echo hi']);
  });

  it('passes the step\'s environment only through environment variables, never through argv', () => {
    const { args, env } = sandboxCommand(input());
    expect(args.join('\n')).to.not.contain('s3cr3t-value');
    expect(env).to.include({ TSB_ENV_COUNT: '2', TSB_ENV_0: 'PATH=/bin', TSB_ENV_1: 'TOKEN=s3cr3t-value' });
    expect(env.PATH).to.equal('/usr/sbin:/usr/bin:/sbin:/bin');
  });

  it('uses prlimit only for what no cgroup covers', () => {
    const withoutCgroup = sandboxCommand(input({ limits: { pids: 64, fileSizeBytes: 1024 } })).args;
    expect(withoutCgroup).to.include.members(['/usr/bin/prlimit', '--nproc=64', '--fsize=1024']);
    const cgroup = { procsFiles: ['/sys/fs/cgroup/x/cgroup.procs'], limitsPids: true, limitsMemory: false, remove: async () => {} };
    const withCgroup = sandboxCommand(input({ limits: { pids: 64 }, cgroup })).args;
    expect(withCgroup).to.not.include('/usr/bin/prlimit');
  });

  it('wraps the same command line in script(1) for a terminal', () => {
    const { args, env } = sandboxCommand(input(), true);
    expect(args.slice(0, 7)).to.deep.equal(['--pdeathsig=KILL', '--', '/usr/bin/script', '-q', '-e', '-c', args[6]]);
    expect(args[6]).to.match(/^exec '\/usr\/bin\/setpriv' '--pdeathsig=KILL'/);
    expect(env.SHELL).to.equal('/usr/bin/bash');
  });

  it('quotes any argument for the shell so that it comes back unchanged', () => {
    const nasty = ["it's", '$(touch /tmp/pwned)', '`x`', 'a\nb', '"', '\\', ' spaced '];
    const echoed = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${nasty.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    expect(echoed.split('\0').slice(0, -1)).to.deep.equal(nasty);
  });
});
