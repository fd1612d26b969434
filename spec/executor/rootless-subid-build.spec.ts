// A build by an ordinary user who has subordinate ids (/etc/subuid, /etc/subgid and newuidmap):
// steps run as other users and chown freely, and layers hold the container's owners. As root, the
// spec gives a user without a passwd entry a name and ranges only inside a private mount namespace
// (bind mounts over /etc/passwd, /etc/subuid and /etc/subgid), so the host's files never change.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ContentStore } from '../../cache/content-store.js';
import { rootLayout } from '../../cache/root.js';
import { findHostTool } from '../../executor/sandbox/host-tools.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { imageListing } from '../compat/image-listing.js';

const BUILD_USER = 65533;
const child = join(dirname(fileURLToPath(import.meta.url)), 'rootless-build-child.js');
const WITH_IDS = [
  'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/subuid && mount --bind "$2" /etc/subgid || exit 99',
  'shift 2',
  `exec setpriv --reuid=${BUILD_USER} --regid=${BUILD_USER} --clear-groups -- "$@"`,
].join('\n');

describe('a build by an unprivileged user with subordinate ids [root]', function () {
  this.timeout(300_000);
  let dir: string;
  before(async function () {
    if (process.getuid?.() !== 0 || !(await findHostTool('newuidmap')) || !(await findHostTool('newgidmap'))) this.skip();
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-subid-build-'));
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'passwd'), `${await readFile('/etc/passwd', 'utf8')}tsbuild-subid:x:${BUILD_USER}:${BUILD_USER}::/nonexistent:/bin/sh\n`);
    await writeFile(join(dir, 'subid'), `tsbuild-subid:300000:65536\n`);
    await mkdir(join(dir, 'context'));
    await writeFile(join(dir, 'context', 'Dockerfile'), [
      'FROM localhost/busybox:test',
      'RUN mkdir -p /home/app && chown 1000:1000 /home/app && chmod 700 /home/app',
      'USER 1000:1000',
      'RUN echo hi > /home/app/file && mkdir /home/app/d && chmod 700 /home/app/d && id -u > /home/app/uid',
      'USER root',
      'RUN chown 2000:3000 /home/app/file && cat /home/app/file /home/app/uid > /made-by-run',
      'COPY --chown=1234:5678 file /copied',
      '',
    ].join('\n'));
    await writeFile(join(dir, 'context', 'file'), 'from the context\n');
    for (const path of [dir, join(dir, 'context'), join(dir, 'context', 'Dockerfile'), join(dir, 'context', 'file')]) await chown(path, BUILD_USER, BUILD_USER);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs steps as other users, and layers carry their owners [root]', async () => {
    const root = join(dir, 'root');
    const args = ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', WITH_IDS, 'with-ids', join(dir, 'passwd'), join(dir, 'subid'), process.execPath, child, root, join(dir, 'context')];
    const { stdout } = await promisify(execFile)('unshare', args, { env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir }, maxBuffer: 1 << 20 });
    const outcome = JSON.parse(stdout) as { ok: boolean; message?: string; uid?: number; files?: Record<string, string | null> };
    expect(outcome.message).to.equal(undefined);
    expect(outcome.uid).to.equal(BUILD_USER);
    expect(outcome.files?.['made-by-run']).to.equal('hi\n1000\n');
    const layout = rootLayout(root);
    const image = await (await ImageStore.open(layout)).resolve('rootless:test');
    const listing = await imageListing(await ContentStore.open(layout), image);
    expect(listing.filter((line) => /^(home|copied|made-by-run)/.test(line))).to.deep.equal([
      'copied f 0644 1234:5678 17 55a58eb2ece74d30',
      'home d 0755 0:0 ',
      'home/app d 0700 1000:1000 ',
      'home/app/d d 0700 1000:1000 ',
      'home/app/file f 0644 2000:3000 3 98ea6e4f216f2fb4',
      'home/app/uid f 0644 1000:1000 5 83c02ac2d48c863d',
      'made-by-run f 0644 0:0 8 97fb486753ab6e44',
    ]);
    // The build user could delete every step folder: nothing is left under the root's tmp/.
    expect(await readdir(layout.tmp)).to.deep.equal([]);
  });
});
