// The same sandbox for an ordinary user: everything happens inside a user namespace. As root, the
// specs run a child node as nobody (setpriv --reuid=65534); otherwise as the current user.
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CAPABILITY_MASK } from '../../../executor/sandbox/capabilities.js';
import type { RunSpec } from '../../../executor/sandbox/types.js';
import { busyboxSpec, isRoot, makeRootfs, makeStagingBase, processesWith, processMarker, removeDir, sandboxLeftovers } from './sandbox-harness.js';

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'sandbox-child.js');
const NOBODY = 65534;

interface ChildOutcome {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  error?: { code: string; message: string };
}

/** The command prefix that drops to an unprivileged user (nothing when we already are one). */
function unprivileged(): string[] {
  return isRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'] : [];
}

function userNamespacesWork(): boolean {
  try {
    execFileSync(unprivileged()[0] ?? 'unshare', [...unprivileged().slice(1), ...(isRoot ? ['unshare'] : []), '--user', '--map-root-user', '--mount', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('executor/sandbox/namespace-sandbox: rootless', function () {
  this.timeout(60_000);
  let rootfs: string;
  let staging: string;

  before(async function () {
    if (!userNamespacesWork()) this.skip();
    rootfs = await makeRootfs(isRoot ? NOBODY : undefined);
    staging = await makeStagingBase();
    if (isRoot) await chown(staging, NOBODY, NOBODY);
  });

  after(async () => {
    await removeDir(rootfs);
    await removeDir(staging);
  });

  afterEach(async function () {
    if (rootfs) expect(await sandboxLeftovers(rootfs, staging)).to.deep.equal([]);
  });

  async function runRootless(spec: RunSpec, abortAfterMs?: number): Promise<ChildOutcome> {
    const input = JSON.stringify({ spec, options: { stagingBase: staging }, abortAfterMs });
    const [command, ...prefix] = [...unprivileged(), process.execPath];
    const { stdout } = await promisify(execFile)(command!, [...prefix, childScript, input], { cwd: '/', timeout: 30_000 });
    return JSON.parse(stdout) as ChildOutcome;
  }

  const sh = (script: string, overrides: Partial<RunSpec> = {}) => busyboxSpec(rootfs, { args: ['sh', '-c', script], ...overrides });

  it('[namespaces] runs a step as root of a user namespace, with its exit status, hostname and /etc files', async () => {
    const result = await runRootless(sh('id -u; hostname; head -1 /etc/hosts; echo $$; exit 7', { hostname: 'rootless' }));
    expect(result).to.deep.include({ exitCode: 7, stdout: '0\nrootless\n127.0.0.1\tlocalhost rootless\n1\n' });
    expect(existsSync(join(rootfs, 'etc/hosts')), 'etc/hosts').to.equal(false);
  });

  it('[namespaces] keeps the same isolation: capabilities, read-only /proc/sys, masked cgroups, pid and net namespaces', async () => {
    const script = 'grep ^CapBnd /proc/self/status; { echo x > /proc/sys/kernel/hostname; } 2>&1; ls -A /sys/fs/cgroup | wc -l; ps -o pid | tail -n +2 | wc -l; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "';
    const result = await runRootless(sh(script, { network: 'none' }));
    const [caps, readOnly, cgroups, processes, interfaces] = (result.stdout ?? '').trim().split('\n');
    expect(caps).to.equal(`CapBnd:\t${DEFAULT_CAPABILITY_MASK}`);
    expect(readOnly).to.contain('Read-only file system');
    expect(cgroups).to.equal('0');
    expect(Number(processes)).to.be.lessThan(6);
    expect(interfaces).to.equal('lo');
  });

  it('[namespaces] runs a non-root uid with its groups through /etc/subuid, or explains what to configure', async () => {
    const result = await runRootless(sh('id -u; id -G', { uid: 1000, gid: 1000, additionalGids: [100] }));
    if (result.error) {
      expect(result.error.code).to.equal('E_STEP');
      expect(result.error.message).to.contain('/etc/subuid').and.contain('newuidmap');
    } else {
      expect(result).to.deep.include({ exitCode: 0, stdout: '1000\n1000 100\n' });
    }
  });

  it('[namespaces] aborts and leaves no process behind', async () => {
    const marker = processMarker();
    const result = await runRootless(sh('sleep 1000 & sleep 1000', { env: ['PATH=/bin', marker] }), 500);
    expect(result.error?.code).to.equal('E_ABORTED');
    expect(await processesWith(marker)).to.deep.equal([]);
  });
});
