// The .dockerignore build cases of the shared conformance data (BuildKit's dockerignore and
// exclude-pattern tests), run as whole builds: what an image ends up holding, which builds fail,
// and `<Dockerfile>.dockerignore` taking precedence (its RUN lines are the assertions).
import { expect } from 'chai';
import { mkdir, readlink, lstat, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ContentStore } from '../../cache/content-store.js';
import { SnapshotStore } from '../../executor/snapshot-store.js';
import { build } from '../../lib/build.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { readConformanceJson } from '../support/conformance.js';
import { makeBuildFixture, type BuildFixture } from './build-fixtures.js';

interface BuildCase {
  readonly id: string;
  readonly context: Record<string, string>;
  readonly contextSymlinks?: Record<string, string>;
  readonly dockerfile?: string;
  readonly dockerfileName?: string;
  readonly expectOutputFiles?: Record<string, string>;
  readonly expectOutputAbsent?: string[];
  readonly expectError?: boolean;
  readonly expectOutput?: { path: string; excluded: boolean; content?: string }[];
  readonly builds?: { dockerfileName: string; expectSuccess: boolean }[];
}

const cases = readConformanceJson<BuildCase[]>('dockerignore', 'build_cases.json');

/** The case's busybox is the fixture's `busybox:test`. */
function localBase(text: string): string {
  return text.replace(/^(\s*FROM\s+)busybox(\s|$)/gim, '$1busybox:test$2');
}

describe('.dockerignore conformance, whole builds [root]', function () {
  this.timeout(180000);
  let fixture: BuildFixture;
  before(async () => {
    fixture = await makeBuildFixture();
  });
  after(() => fixture.dispose());

  async function writeContext(testCase: BuildCase): Promise<void> {
    await rm(fixture.context, { recursive: true, force: true });
    await mkdir(fixture.context);
    const files = { ...testCase.context, ...(testCase.dockerfile !== undefined ? { Dockerfile: testCase.dockerfile } : {}) };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(fixture.context, path)), { recursive: true });
      await writeFile(join(fixture.context, path), path.startsWith('Dockerfile') ? localBase(text) : text);
    }
    for (const [path, target] of Object.entries(testCase.contextSymlinks ?? {})) await symlink(target, join(fixture.context, path));
  }

  function buildCase(testCase: BuildCase, dockerfileName = testCase.dockerfileName ?? 'Dockerfile'): Promise<unknown> {
    return build({ context: fixture.context, root: fixture.root, dockerfile: join(fixture.context, dockerfileName), tags: [`conformance-${testCase.id}:1`] });
  }

  /** A file's content or a symlink's target in the built image, or undefined when absent. */
  async function imageEntry(testCase: BuildCase, path: string): Promise<string | undefined> {
    const image = await (await ImageStore.open(fixture.layout)).resolve(`conformance-${testCase.id}:1`);
    const snapshots = new SnapshotStore(fixture.layout, await ContentStore.open(fixture.layout));
    for (const tree of await snapshots.ensure(image.layers)) {
      const stats = await lstat(join(tree, path)).catch(() => undefined);
      if (stats === undefined) continue;
      return stats.isSymbolicLink() ? readlink(join(tree, path)) : readFile(join(tree, path), 'utf8');
    }
    return undefined;
  }

  for (const testCase of cases) {
    it(`${testCase.id}: ${testCase.builds ? 'each Dockerfile sees its own ignore file' : testCase.expectError ? 'fails with an error' : 'the image holds exactly what the case expects'}`, async () => {
      await writeContext(testCase);
      if (testCase.expectError) {
        const error = await buildCase(testCase).then(() => undefined, (caught: unknown) => caught);
        expect(error, 'the build should fail').to.be.instanceOf(Error);
        return;
      }
      for (const one of testCase.builds ?? []) {
        const outcome = await buildCase(testCase, one.dockerfileName).then(() => 'built', (error: Error) => error.message);
        expect(outcome, one.dockerfileName).to.equal(one.expectSuccess ? 'built' : outcome === 'built' ? 'a failure' : outcome);
      }
      if (testCase.builds) return;
      await buildCase(testCase);
      for (const [path, content] of Object.entries(testCase.expectOutputFiles ?? {})) expect(await imageEntry(testCase, path), path).to.equal(content);
      for (const path of testCase.expectOutputAbsent ?? []) expect(await imageEntry(testCase, path), path).to.equal(undefined);
      for (const expected of testCase.expectOutput ?? []) {
        expect(await imageEntry(testCase, expected.path), expected.path).to.equal(expected.excluded ? undefined : expected.content);
      }
    });
  }
});
