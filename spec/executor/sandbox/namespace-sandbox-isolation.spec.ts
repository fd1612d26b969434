// RUN trying to escape the sandbox (SECURITY group E): pid and network namespaces, capabilities,
// read-only and masked kernel files, device nodes, leaked descriptors, and a real chroot escape
// that must find nothing of the host.
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_CAPABILITY_MASK } from '../../../executor/sandbox/capabilities.js';
import { NamespaceSandbox } from '../../../executor/sandbox/namespace-sandbox.js';
import { busyboxSpec, makeRootfs, makeStagingBase, removeDir, requireRoot, runCaptured, sandboxLeftovers } from './sandbox-harness.js';

/** Copies the host's perl and the libraries it links into the rootfs: the escape needs chroot(2) without chdir. */
async function installHostPerl(rootfs: string): Promise<boolean> {
  if (!existsSync('/usr/bin/perl')) return false;
  const libs = execFileSync('ldd', ['/usr/bin/perl'], { encoding: 'utf8' }).match(/\/\S+/g) ?? [];
  for (const file of ['/usr/bin/perl', ...libs]) {
    await mkdir(join(rootfs, dirname(file)), { recursive: true });
    await copyFile(file, join(rootfs, file));
  }
  return true;
}

const ESCAPE = String.raw`
mkdir "x"; chroot "x" or die "chroot: $!";
chdir ".." for 1..64;
chroot "." or die "chroot back: $!";
sub list { opendir(my $d, $_[0]) or return "unreadable"; join(" ", sort grep { !/^\.\.?$/ } readdir $d) }
print "root: ", list("/"), "\n";
print "etc: ", list("/etc"), "\n";
print "proc: ", list("/proc"), "\n";
print "old: ", list("/.old"), "\n";
print((-e $ARGV[0]) ? "canary: FOUND\n" : "canary: absent\n");
print((open(my $f, ">", "/escaped") ? "write: WRITABLE\n" : "write: $!\n"));
`;

describe('executor/sandbox/namespace-sandbox: isolation', function () {
  this.timeout(30_000);
  let sandbox: NamespaceSandbox;
  let rootfs: string;
  let hostDir: string;
  let staging: string;

  before(async function () {
    requireRoot(this);
    rootfs = await makeRootfs();
    hostDir = await mkdtemp(join(tmpdir(), 'tsbuild-spec-host-'));
    staging = await makeStagingBase();
    sandbox = new NamespaceSandbox({ stagingBase: staging });
  });

  after(async () => {
    await removeDir(rootfs);
    await removeDir(hostDir);
    await removeDir(staging);
  });

  afterEach(async function () {
    if (rootfs) expect(await sandboxLeftovers(rootfs, staging)).to.deep.equal([]);
  });

  const sh = (script: string, overrides = {}) => busyboxSpec(rootfs, { args: ['sh', '-c', script], ...overrides });
  const stdoutOf = async (script: string, overrides = {}) => (await runCaptured(sandbox, sh(script, overrides))).stdout;

  it('[root] runs the step as pid 1 of its own pid namespace: host processes are invisible and unkillable', async () => {
    const marker = `MARKER-${process.pid}-${Date.now()}`;
    // The marker is the sleep's own argv[0]: killing it leaves nothing behind.
    const host = spawn('sleep', ['1000'], { argv0: `sleep-${marker}`, stdio: 'ignore' });
    try {
      // The pattern comes from a file so that no process in the sandbox has the marker in its argv.
      const find = `printf %s "$MARK" > /tmp/pattern; echo "found:$(grep -F -l -f /tmp/pattern /proc/[0-9]*/cmdline)"`;
      const script = `${find}; kill -9 ${host.pid} 2>&1; echo "pid1:$(tr '\\0' ' ' < /proc/1/cmdline)"; echo "count:$(ps -o pid | tail -n +2 | wc -l)"`;
      const out = await stdoutOf(script, { env: ['PATH=/bin', `MARK=${marker}`] });
      expect(out).to.contain('found:\n');
      expect(out).to.match(/No such process/);
      expect(out).to.contain('pid1:sh -c printf');
      // sh, ps and the pipeline's helpers: nothing from the host.
      expect(Number(/count:(\d+)/.exec(out)?.[1])).to.be.lessThan(6);
      expect(host.exitCode).to.equal(null);
    } finally {
      host.kill('SIGKILL');
    }
  });

  it('[root] with network none sees only lo, which is up, and cannot reach the host', async () => {
    let requests = 0;
    const server = createServer((socket) => {
      requests++;
      socket.end('HTTP/1.0 200 OK\r\n\r\nhello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const none = await stdoutOf(`cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; ip link show lo | grep -c UP; wget -q -T 2 -O- http://127.0.0.1:${port}/ || echo unreachable`, { network: 'none' });
      expect(none).to.equal(existsSync('/usr/sbin/ip') || existsSync('/sbin/ip') ? 'lo\n1\nunreachable\n' : 'lo\n0\nunreachable\n');
      expect(requests).to.equal(0);
      // `default` is the host's network, as for docker build without a bridge.
      expect(await stdoutOf(`wget -q -O- http://127.0.0.1:${port}/`)).to.equal('hello');
    } finally {
      server.close();
    }
  });

  it('[root] gives root Docker\'s default capabilities and a non-root uid none', async () => {
    const root = await stdoutOf('grep ^Cap /proc/self/status');
    for (const line of ['CapPrm', 'CapEff', 'CapBnd']) expect(root).to.contain(`${line}:\t${DEFAULT_CAPABILITY_MASK}`);
    expect(root).to.contain('CapInh:\t0000000000000000').and.contain('CapAmb:\t0000000000000000');
    const user = await stdoutOf('grep ^Cap /proc/self/status', { uid: 1000, gid: 1000 });
    expect(user).to.contain('CapEff:\t0000000000000000').and.contain('CapPrm:\t0000000000000000');
    expect(user).to.contain(`CapBnd:\t${DEFAULT_CAPABILITY_MASK}`);
  });

  it('[root] makes /proc/sys read-only and masks kernel files, like Docker', async () => {
    const out = await stdoutOf('{ echo x > /proc/sys/kernel/hostname; } 2>&1; umount /proc/sys 2>&1; true');
    expect(out).to.contain('Read-only file system').and.contain('Operation not permitted');
    if (existsSync('/proc/sysrq-trigger')) expect(await stdoutOf('{ echo h > /proc/sysrq-trigger; } 2>&1; true')).to.contain('Read-only file system');
    for (const file of ['/proc/keys', '/proc/timer_list', '/proc/kcore', '/proc/sched_debug'].filter(existsSync)) {
      expect(await stdoutOf(`wc -c < ${file}`), file).to.equal('0\n');
    }
    for (const dir of ['/proc/acpi', '/proc/scsi', '/sys/firmware'].filter(existsSync)) {
      expect(await stdoutOf(`ls -A ${dir}`), dir).to.equal('');
    }
  });

  it('[root] denies mount, unshare (user namespaces too) and the use of device nodes it lets root create', async () => {
    const [major, minor] = execFileSync('sh', ['-c', "mountpoint -d / || stat -c '%Hd:%Ld' /"], { encoding: 'utf8' }).trim().split(':');
    const out = await stdoutOf(
      `mount -t tmpfs x /mnt 2>&1 || echo mount-denied; unshare -m true 2>&1 || echo unshare-denied; ` +
        // A chrooted process may not create a user namespace (no way back to CAP_SYS_ADMIN).
        `unshare -U -r true 2>&1 || echo userns-denied; ` +
        `mknod /tmp/disk b ${major} ${minor} && (head -c1 /tmp/disk >/dev/null 2>&1 && echo DISK-READ || echo disk-denied); ` +
        `echo x > /dev/tty 2>/dev/null || echo no-tty; head -c 4 /dev/zero | wc -c`,
    );
    expect(out).to.contain('mount-denied').and.contain('unshare-denied').and.contain('userns-denied');
    expect(out).to.contain('disk-denied').and.contain('no-tty');
    expect(out).to.not.contain('DISK-READ');
    expect(out.trim().split('\n').at(-1)).to.equal('4');
  });

  it('[root] passes no file descriptor but 0, 1 and 2, even ones node inherited without close-on-exec', async () => {
    expect(await stdoutOf('ls /proc/self/fd | sort -n | tr "\\n" " "')).to.equal('0 1 2 3 ');
    const child = join(dirname(new URL(import.meta.url).pathname), 'sandbox-child.js');
    const input = JSON.stringify({ spec: sh('ls /proc/self/fd | sort -n | tr "\\n" " "'), options: { stagingBase: staging } });
    const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
    const script = 'exec 7</etc/hostname; exec "$@"';
    const inheritedTen = existsSync('/bin/bash') ? 'exec 7</etc/hostname 23</etc/hostname; exec "$@"' : script;
    const output = execFileSync(shell, ['-c', inheritedTen, 'sh', process.execPath, child, input], { encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(output)).to.include({ exitCode: 0, stdout: '0 1 2 3 ' });
  });

  it('[root] lets an escaped chroot find only the read-only staging root: no host data, nothing writable', async function () {
    if (!(await installHostPerl(rootfs))) this.skip();
    const canary = join(hostDir, 'canary');
    await writeFile(canary, 'host secret\n');
    const result = await runCaptured(sandbox, busyboxSpec(rootfs, { args: ['perl', '-e', ESCAPE, canary], cwd: '/tmp' }));
    expect(result.stderr).to.equal('');
    const lines = Object.fromEntries(result.stdout.trim().split('\n').map((line) => line.split(': ') as [string, string]));
    // It really escaped: it sees the staging root with the rootfs's unguessable mount point.
    expect(lines.root).to.match(/(^| )r-[0-9a-f]{32}( |$)/);
    for (const hostOnly of ['home', 'root', 'tmp', 'var', 'work', 'boot', 'srv']) expect(lines.root!.split(' ')).to.not.include(hostOnly);
    expect(lines).to.include({ canary: 'absent', write: 'Read-only file system', proc: '', old: '' });
    expect(['', 'ld.so.cache']).to.include(lines.etc);
  });
});
