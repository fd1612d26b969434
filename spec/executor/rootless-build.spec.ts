// A whole build as an ordinary user: the build runs in a user namespace (as root, the spec runs a
// child node with setpriv as a uid that has no passwd entry, no subordinate ids and is not the
// overflow id 65534), RUN and COPY work, and ownership is the container's view. Without
// subordinate ids only uid 0 exists in the namespace, so the steps run as root; owners other than
// root (COPY --chown, a stage's files) survive later steps and COPY --from through the recorded
// owner tables.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ContentStore } from '../../cache/content-store.js';
import { rootLayout } from '../../cache/root.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { imageListing } from '../compat/image-listing.js';

const BUILD_USER = 65533;
const child = join(dirname(fileURLToPath(import.meta.url)), 'rootless-build-child.js');

describe('a build by an unprivileged user [root]', function () {
  this.timeout(300_000);
  let dir: string;
  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-rootless-build-'));
    await chmod(dir, 0o755);
    await mkdir(join(dir, 'context'));
    await writeFile(join(dir, 'context', 'Dockerfile'), [
      'FROM localhost/busybox:test AS owners',
      'COPY --chown=4321:8765 file /owned',
      'FROM localhost/busybox:test',
      'RUN echo "uid $(id -u)" > /made-by-run',
      'COPY file /copied',
      'COPY --chown=1234:5678 file /owned-file',
      'RUN echo more >> /owned-file',
      'COPY --chown=1234:5678 file /replaced',
      'COPY file /replaced',
      'COPY --from=owners /owned /from-stage',
      'RUN rm /bin/zcat && mkdir -p /gone/deep && rm -r /gone',
      'WORKDIR /w/x',
      "RUN test ! -e /bin/zcat && test ! -e /gone && stat -c '%u:%g %a' . > /workdir-owner",
      '',
    ].join('\n'));
    await writeFile(join(dir, 'context', 'file'), 'from the context\n');
    for (const path of [dir, join(dir, 'context'), join(dir, 'context', 'Dockerfile'), join(dir, 'context', 'file')]) await chown(path, BUILD_USER, BUILD_USER);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('builds RUN, COPY --chown and WORKDIR steps with container ownership [root]', async () => {
    const root = join(dir, 'root');
    const { stdout } = await promisify(execFile)('setpriv', [`--reuid=${BUILD_USER}`, `--regid=${BUILD_USER}`, '--clear-groups', '--', process.execPath, child, root, join(dir, 'context')], { env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir }, maxBuffer: 1 << 20 });
    const outcome = JSON.parse(stdout) as { ok: boolean; message?: string; uid?: number; files?: Record<string, string | null> };
    expect(outcome.message).to.equal(undefined);
    expect(outcome.uid).to.equal(BUILD_USER);
    // The layers hold the owners the container meant, whatever the namespace could show.
    const layout = rootLayout(root);
    const image = await (await ImageStore.open(layout)).resolve('rootless:test');
    const listing = await imageListing(await ContentStore.open(layout), image);
    expect(listing.filter((line) => /^(owned-file|copied|from-stage|made-by-run|replaced|w|w\/x) /.test(line))).to.deep.equal([
      'copied f 0644 0:0 17 55a58eb2ece74d30',
      'from-stage f 0644 4321:8765 17 55a58eb2ece74d30',
      'made-by-run f 0644 0:0 6 2c5dc7db4e296d2f',
      'owned-file f 0644 1234:5678 22 b896d254bb6f06c6',
      'replaced f 0644 0:0 17 55a58eb2ece74d30',
      'w d 0755 0:0 ',
      'w/x d 0755 0:0 ',
    ]);
    // A deletion is a whiteout (made as a 0/0 device without root) that the next steps honour.
    expect(listing.filter((line) => /^(bin\/zcat|bin\/zip|gone) /.test(line)).map((line) => line.split(' ')[0])).to.deep.equal([]);
    expect(listing.some((line) => line.startsWith('bin/unzip '))).to.equal(true);
    // Nothing in any layer carries the build user or the overflow id.
    const owners = new Set(listing.map((line) => line.split(' ')[3]));
    expect([...owners].sort()).to.deep.equal(['0:0', '1234:5678', '4321:8765']);
    expect(outcome.files).to.deep.equal({
      'made-by-run': 'uid 0\n',
      copied: 'from the context\n',
      'workdir-owner': '0:0 755\n',
    });
  });
});
