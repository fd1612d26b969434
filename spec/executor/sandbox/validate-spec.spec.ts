// Allow-list validation of RunSpec (SECURITY lessons 8 and 9): no privileges needed.
import { expect } from 'chai';
import type { RunSpec } from '../../../executor/sandbox/types.js';
import { validateRunSpec } from '../../../executor/sandbox/validate-spec.js';

const valid: RunSpec = {
  rootfs: '/tmp/rootfs',
  args: ['sh', '-c', 'true'],
  env: ['PATH=/bin', 'EMPTY=', 'my.var=x=y'],
  cwd: '/',
  uid: 0,
  gid: 0,
  additionalGids: [10],
  hostname: 'buildkitsandbox',
  network: 'default',
  mounts: [{ type: 'bind', source: '/tmp/src', target: '/src', readonly: true }, { type: 'tmpfs', target: '/tmp/x', size: 1024 }],
  extraHosts: [{ name: 'db', ip: '10.0.0.2' }],
};

function rejects(change: Record<string, unknown>, message: RegExp): void {
  expect(() => validateRunSpec({ ...valid, ...change } as RunSpec)).to.throw(message).with.property('code', 'E_USAGE');
}

describe('executor/sandbox/validate-spec', () => {
  it('accepts a valid spec', () => {
    expect(() => validateRunSpec(valid)).to.not.throw();
  });

  it('rejects unknown enum values instead of defaulting them', () => {
    rejects({ network: 'bridge' }, /network must be/);
    rejects({ mounts: [{ type: 'volume', target: '/x' }] }, /type must be bind or tmpfs/);
  });

  it('rejects ids that other runtimes wrapped or treat as "unchanged"', () => {
    rejects({ uid: 2 ** 31 }, /uid must be an integer/);
    rejects({ gid: -1 }, /gid must be an integer/);
    rejects({ uid: 1.5 }, /uid must be an integer/);
    rejects({ additionalGids: [4294967295] }, /additionalGids\[0\]/);
  });

  it('rejects relative paths, NUL bytes and mounts over the sandbox\'s own trees', () => {
    rejects({ cwd: 'work' }, /cwd must be an absolute path/);
    rejects({ args: ['sh\0'] }, /NUL/);
    rejects({ args: [] }, /args must be a non-empty array/);
    rejects({ mounts: [{ type: 'tmpfs', target: '/proc/sys' }] }, /inside \/proc/);
    rejects({ mounts: [{ type: 'tmpfs', target: '/../dev/shm' }] }, /inside \/dev/);
    rejects({ mounts: [{ type: 'tmpfs', target: '/' }] }, /cannot be \//);
    rejects({ mounts: [{ type: 'bind', source: 'rel', target: '/x' }] }, /source must be an absolute path/);
  });

  it('lets in only a read-only file directly in /dev/pipes (a shebang heredoc, as BuildKit mounts it)', () => {
    const script = { type: 'bind', source: '/tmp/script', target: '/dev/pipes/EOT', readonly: true };
    expect(() => validateRunSpec({ ...valid, mounts: [script] } as RunSpec)).to.not.throw();
    rejects({ mounts: [{ ...script, readonly: false }] }, /inside \/dev/);
    rejects({ mounts: [{ ...script, target: '/dev/pipes/a/b' }] }, /inside \/dev/);
    rejects({ mounts: [{ ...script, target: '/dev/pipes/..' }] }, /inside \/dev/);
    rejects({ mounts: [{ ...script, target: '/dev/pipes/' }] }, /inside \/dev/);
    rejects({ mounts: [{ type: 'tmpfs', target: '/dev/pipes/EOT' }] }, /inside \/dev/);
  });

  it('rejects malformed environment entries, host names and extra hosts', () => {
    rejects({ env: ['=x'] }, /KEY=VALUE/);
    rejects({ env: ['NOVALUE'] }, /KEY=VALUE/);
    rejects({ hostname: 'a b' }, /not a valid host name/);
    rejects({ extraHosts: [{ name: 'db', ip: 'not-an-ip' }] }, /not an IP address/);
  });
});
