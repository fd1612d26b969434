// build() with `--build-context` (BuildKit's behaviour, checked with docker build): a folder context
// is read through its own .dockerignore by COPY --from=NAME, mounted by RUN --mount=from=NAME, and
// keyed by content like the main context; a name replaces a stage of that name; docker-image://REF
// serves FROM, COPY --from and mounts. The main context's .dockerignore also holds for COPY.
import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from '../../lib/build.js';
import { DockerfileError } from '../../lib/errors.js';
import { buildContextsFrom } from '../../lib/named-contexts.js';
import { UsageError } from '../../lib/errors.js';
import { rejection } from '../support/rejection.js';
import { makeBuildFixture, readImageFile, type BuildFixture } from './build-fixtures.js';

describe('lib/named-contexts', () => {
  it('reads NAME=PATH (made absolute) and NAME=docker-image://REF; refuses the rest', () => {
    expect(buildContextsFrom(['extra=./x', 'base=docker-image://debian:bookworm', 'abs=/srv/y'], '/work')).to.deep.equal({
      extra: '/work/x', base: 'docker-image://debian:bookworm', abs: '/srv/y',
    });
    for (const bad of ['noequals', '=x', 'n=']) expect(() => buildContextsFrom([bad], '/'), bad).to.throw(UsageError, 'expected NAME=PATH or NAME=docker-image://REF');
    expect(() => buildContextsFrom(['g=https://example.com/repo.git'], '/')).to.throw(UsageError, /not supported; use a folder or docker-image:\/\/REF/);
    expect(() => buildContextsFrom(['i=docker-image://'], '/')).to.throw(UsageError, /needs an image reference/);
  });
});

describe('build --build-context [root]', function () {
  this.timeout(120000);
  let fixture: BuildFixture;
  let extra: string;
  before(async () => {
    fixture = await makeBuildFixture();
    extra = await mkdtemp(join(fixture.dir, 'extra-'));
    await mkdir(join(extra, 'sub'));
    await writeFile(join(extra, 'a.txt'), 'e1\n');
    await writeFile(join(extra, 'b.txt'), 'e2\n');
    await writeFile(join(extra, 'sub', 's.txt'), 's\n');
    await writeFile(join(extra, '.dockerignore'), 'b.txt\n');
  });
  after(async () => {
    await fixture.dispose();
  });

  const run = (text: string, options: Partial<BuildOptions> = {}) =>
    build({ context: fixture.context, dockerfileText: text, root: fixture.root, buildContexts: { extra }, ...options });

  const copyAndList = 'FROM busybox:test\nCOPY --from=extra / /e/\nRUN --mount=from=extra,target=/mnt cat /mnt/a.txt /mnt/sub/s.txt > /mounted.txt\nRUN cd /e && find . | sort > /list.txt\n';

  it('COPY --from=NAME reads the folder through its own .dockerignore; RUN --mount=from=NAME mounts it', async () => {
    await run(copyAndList, { tags: ['named:1'] });
    expect(await readImageFile(fixture, 'named:1', 'list.txt')).to.equal('.\n./.dockerignore\n./a.txt\n./sub\n./sub/s.txt\n');
    expect(await readImageFile(fixture, 'named:1', 'mounted.txt')).to.equal('e1\ns\n');
  });

  it('keys follow the folder’s content: an ignored file changes nothing, a copied one re-runs', async () => {
    const again = await run(copyAndList);
    expect(again.cache).to.deep.equal({ hits: 3, misses: 0 });
    await writeFile(join(extra, 'b.txt'), 'ignored change\n');
    expect((await run(copyAndList)).cache).to.deep.equal({ hits: 3, misses: 0 });
    await writeFile(join(extra, 'sub', 's.txt'), 'changed\n');
    expect((await run(copyAndList)).cache).to.deep.equal({ hits: 0, misses: 3 });
  });

  it('a named context replaces the stage of that name', async () => {
    const text = 'FROM busybox:test AS extra\nRUN echo stage > /stage.txt\nFROM busybox:test\nCOPY --from=extra a.txt /from-extra.txt\n';
    await run(text, { tags: ['named:2'] });
    expect(await readImageFile(fixture, 'named:2', 'from-extra.txt')).to.equal('e1\n');
  });

  it('docker-image://REF serves FROM NAME, COPY --from=NAME and mounts', async () => {
    const text = 'FROM base\nCOPY --from=img /bin/busybox /copied\nRUN --mount=from=img,target=/i test -x /i/bin/busybox && echo ok > /mounted.txt\n';
    await run(text, { tags: ['named:3'], buildContexts: { base: 'docker-image://busybox:test', img: 'docker-image://busybox:test' } });
    expect(await readImageFile(fixture, 'named:3', 'mounted.txt')).to.equal('ok\n');
    expect(await readImageFile(fixture, 'named:3', 'copied')).to.have.length.greaterThan(1000);
    // The alias is the image itself: keys start from its manifest digest, as FROM busybox:test would.
    await run('FROM base\nRUN echo x > /x\n', { buildContexts: { base: 'docker-image://busybox:test' } });
    expect((await run('FROM busybox:test\nRUN echo x > /x\n')).cache).to.deep.equal({ hits: 1, misses: 0 });
  });

  it('FROM a folder context is a located plan error', async () => {
    const error = await rejection(run('FROM extra\n'));
    expect(error).to.be.instanceOf(DockerfileError);
    expect((error as DockerfileError).message).to.match(/a folder build context cannot be a base/);
  });

  it('the main context’s .dockerignore holds for COPY . too', async () => {
    const context = await mkdtemp(join(fixture.dir, 'main-'));
    await writeFile(join(context, 'keep.txt'), 'k\n');
    await writeFile(join(context, 'secret.txt'), 's\n');
    await writeFile(join(context, '.dockerignore'), 'secret.txt\n');
    await build({ context, dockerfileText: 'FROM busybox:test\nCOPY . /c/\nCOPY *.txt /w/\nRUN find /c /w | sort > /list.txt\n', root: fixture.root, tags: ['named:4'] });
    expect(await readImageFile(fixture, 'named:4', 'list.txt')).to.equal('/c\n/c/.dockerignore\n/c/keep.txt\n/w\n/w/keep.txt\n');
    const named = await rejection(build({ context, dockerfileText: 'FROM busybox:test\nCOPY secret.txt /\n', root: fixture.root }));
    expect((named as Error).message).to.match(/secret\.txt.*not found/);
    await rm(context, { recursive: true });
  });
});
