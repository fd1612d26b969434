// Golden step keys: a fixed Dockerfile and context (FROM scratch, so no base image bytes enter the
// keys) must give exactly these keys. If one changes, the key recipe changed: bump SCHEMA in
// cache/cache-key.ts (which invalidates every older record at once) and then update the constants.
// The keys contain the platform, so they are pinned for linux/amd64 hosts only.
import { expect } from 'chai';
import { chmod, chown, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA } from '../../cache/cache-key.js';
import { KeyIndex } from '../../cache/key-index.js';
import { createRootFolders, rootLayout } from '../../cache/root.js';
import { build } from '../../lib/build.js';

const DOCKERFILE = 'FROM scratch\nCOPY a.txt /a.txt\nENV GREETING=hello\nCOPY dir /dir\nLABEL purpose=golden\n';

/** The stage's final key, and the keys of the steps that wrote records (COPY a.txt, COPY dir). */
const GOLDEN = {
  schema: 2,
  stageKey: '04c436adfe6d0e4d5e689045e25f4cd3366947b7d41fba4e4de7c60989a05656',
  recordKeys: ['b5a366849997c10d60755b78098f817efff62f836fc5efcfd3d780095c36d249', 'fdb13c8f576c5470a825e8603bbb860be0a2c7d6ce693735f8542bf824e92ed9'],
};

describe('lib/build golden step keys [root]', function () {
  this.timeout(60000);
  let dir: string;
  before(async function () {
    if (process.arch !== 'x64') this.skip();
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-golden-'));
    const context = join(dir, 'context');
    await mkdir(join(context, 'dir', 'sub'), { recursive: true });
    await writeFile(join(context, 'a.txt'), 'alpha\n');
    await writeFile(join(context, 'dir', 'sub', 'b.txt'), 'bravo\n');
    for (const [path, mode] of [['a.txt', 0o644], ['dir', 0o755], ['dir/sub', 0o700], ['dir/sub/b.txt', 0o600]] as const) {
      await chmod(join(context, path), mode);
      await chown(join(context, path), 0, 0);
      await utimes(join(context, path), new Date(), new Date());
    }
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a fixed Dockerfile and context give the pinned keys (any change here must bump SCHEMA)', async () => {
    const layout = rootLayout(join(dir, 'root'));
    await createRootFolders(layout);
    const result = await build({ context: join(dir, 'context'), dockerfileText: DOCKERFILE, root: layout.root });
    const index = new KeyIndex(layout);
    const keys: string[] = [];
    for await (const entry of index.entries()) keys.push(entry.key);
    expect(SCHEMA, 'SCHEMA changed: update the golden keys below').to.equal(GOLDEN.schema);
    expect({ stageKey: result.stages[0]!.key, recordKeys: keys.sort() }).to.deep.equal({ stageKey: GOLDEN.stageKey, recordKeys: GOLDEN.recordKeys });
  });
});
