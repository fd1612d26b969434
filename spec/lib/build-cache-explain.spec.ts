// --explain-cache through whole builds (library events): a COPY or ADD from the context that
// misses says which files changed, were added or removed, with .dockerignore and --exclude
// applied, and a step with nothing but a parent change says so.
import { expect } from 'chai';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildEvent } from '../../lib/build.js';
import { makeBuildFixture, type BuildFixture } from './build-fixtures.js';

const DOCKERFILE = [
  'FROM busybox:test',
  'ADD site /srv',
  'COPY --exclude=*.log . /app',
  '',
].join('\n');

describe('lib/build --explain-cache names context files [root]', function () {
  this.timeout(180000);
  let fixture: BuildFixture;

  before(async () => {
    fixture = await makeBuildFixture();
    await writeFile(join(fixture.context, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(fixture.context, '.dockerignore'), 'secret.txt\n');
    await mkdir(join(fixture.context, 'site'));
    await writeFile(join(fixture.context, 'site', 'index.html'), '<p>one</p>\n');
    await writeFile(join(fixture.context, 'site', 'old.css'), 'p {}\n');
    await writeFile(join(fixture.context, 'secret.txt'), 'hidden\n');
    await writeFile(join(fixture.context, 'app.js'), 'run()\n');
    await buildCtx();
  });
  after(() => fixture.dispose());

  /** Builds with --explain-cache; returns each step text's miss reasons (cached steps have none). */
  async function buildCtx(): Promise<Record<string, readonly string[]>> {
    const reasons: Record<string, readonly string[]> = {};
    const onEvent = (event: BuildEvent): void => {
      if (event.type === 'step' && event.phase === 'started' && event.missReason) reasons[event.text] = event.missReason;
    };
    await build({ context: fixture.context, root: fixture.root, explainCache: true, onEvent });
    return reasons;
  }

  it('ADD from the context names the changed, added and removed files', async () => {
    await writeFile(join(fixture.context, 'site', 'index.html'), '<p>two</p>\n');
    await writeFile(join(fixture.context, 'site', 'new.css'), 'a {}\n');
    await rm(join(fixture.context, 'site', 'old.css'));
    const reasons = await buildCtx();
    expect(reasons['ADD site /srv']).to.deep.equal(['ADD site /srv: site/index.html changed, site/new.css added, site/old.css removed']);
    // The COPY of `.` sees the same changes in its own selection, and its parent moved too.
    expect(reasons['COPY --exclude=*.log . /app']).to.deep.equal([
      'COPY --exclude=*.log . /app: site/index.html changed, site/new.css added, site/old.css removed',
      'parent changed',
    ]);
  });

  it('a file .dockerignore stops ignoring is named as added; an excluded file changes nothing', async () => {
    await writeFile(join(fixture.context, 'debug.log'), 'noise\n');
    expect(await buildCtx()).to.deep.equal({});
    await writeFile(join(fixture.context, '.dockerignore'), '# nothing ignored now\n');
    const reasons = await buildCtx();
    expect(reasons['ADD site /srv']).to.equal(undefined);
    expect(reasons['COPY --exclude=*.log . /app']).to.deep.equal(['COPY --exclude=*.log . /app: .dockerignore changed, secret.txt added']);
  });
});
