// A minimal base rootfs for specs: a static busybox with its applet symlinks, /etc/passwd,
// /etc/group and a sticky /tmp, like shared/tools/buildkit-oracle/setup.sh builds for the oracle.
// Deliberately no /proc, /dev or /sys: specs that run it must cope with a scratch-like image.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where Debian's busybox-static installs busybox (TSBUILD_BUSYBOX overrides). */
export function findStaticBusybox(): string {
  const candidates = [process.env.TSBUILD_BUSYBOX, '/usr/bin/busybox', '/bin/busybox'];
  const found = candidates.find((path): path is string => path !== undefined && existsSync(path));
  if (!found) throw new Error('a static busybox is needed for sandbox specs: apt-get install busybox-static');
  return found;
}

const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const group = 'root:x:0:\nnogroup:x:65534:\n';

/** Fills `dir` (which must exist) with the busybox rootfs. */
export async function makeBusyboxRootfs(dir: string): Promise<void> {
  const busybox = findStaticBusybox();
  for (const sub of ['bin', 'etc', 'root', 'tmp']) await mkdir(join(dir, sub), { recursive: true });
  await chmod(dir, 0o755);
  await copyFile(busybox, join(dir, 'bin', 'busybox'));
  await chmod(join(dir, 'bin', 'busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet !== 'busybox') await symlink('busybox', join(dir, 'bin', applet));
  }
  await writeFile(join(dir, 'etc', 'passwd'), passwd);
  await writeFile(join(dir, 'etc', 'group'), group);
  await chmod(join(dir, 'tmp'), 0o1777);
  await chmod(join(dir, 'root'), 0o700);
}
