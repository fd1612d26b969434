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
  schema: 3,
  stageKey: '4cf70316696edeb6f9eb8ca090f3ffbeaba2ddd225bc79370c48f976979b8a87',
  recordKeys: ['67234676ed1029ca244e68705d4078cd356e2b8d1ab1c2d9008c0f3dbc6e4dcc', 'c5d8cba6381c233f459524a7da207aead89aa2003bd30a5b470602600ecd3b0c'],
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
