import { expect } from 'chai';
import { readdir, readFile, truncate, utimes, writeFile } from 'node:fs/promises';
import { explainKeyChange } from '../../cache/cache-key.js';
import { resetFailpoints } from '../../cache/failpoints.js';
import { KeyIndex, type NewRecord } from '../../cache/key-index.js';
import type { RootLayout } from '../../cache/root.js';
import { digestOf, keyOf, makeTempRoot } from './fixtures/temp-root.js';

function record(name: string, extra: Partial<NewRecord> = {}): NewRecord {
  return {
    key: keyOf(name),
    layer: { digest: digestOf(`${name} layer`), diffId: digestOf(`${name} tar`), size: 42 },
    configChange: { env: ['A=1'] },
    input: { v: 1, kind: 'RUN', op: { env: { VERSION: name } } },
    ...extra,
  };
}

describe('cache/key-index', () => {
  let layout: RootLayout;
  let remove: () => Promise<void>;
  let warnings: string[];
  let index: KeyIndex;

  beforeEach(async () => {
    ({ layout, remove } = await makeTempRoot());
    warnings = [];
    index = new KeyIndex(layout, { onWarning: (message) => warnings.push(message) });
  });
  afterEach(async () => {
    resetFailpoints('');
    await remove();
  });

  it('writes a record and reads it back, with creation and last-use times', async () => {
    const before = Date.now();
    const written = await index.put(record('a', { stepIdentity: 'stage0/1' }));
    const read = await index.get(written.key);
    expect(read).to.deep.include({ key: keyOf('a'), layer: record('a').layer, configChange: { env: ['A=1'] }, stepIdentity: 'stage0/1' });
    expect(read!.input).to.deep.equal(record('a').input);
    expect(Date.parse(read!.created)).to.be.within(before - 1000, Date.now() + 1000);
    expect(read!.lastUsedMs).to.be.within(before - 1000, Date.now() + 1000);
    expect(await readdir(layout.tmp)).to.deep.equal([]);
  });

  it('stores records without a layer', async () => {
    await index.put(record('empty', { layer: null }));
    expect((await index.get(keyOf('empty')))?.layer).to.equal(null);
  });

  it('misses quietly on an absent key and refuses an invalid key', async () => {
    expect(await index.get(keyOf('absent'))).to.equal(undefined);
    expect(warnings).to.deep.equal([]);
    expect(() => index.recordPath('../x')).to.throw().with.property('code', 'E_STORE');
  });

  const damages: [string, (path: string) => Promise<void>][] = [
    ['truncated', (path) => truncate(path, 30)],
    ['zero bytes', (path) => truncate(path, 0)],
    ['garbled', async (path) => {
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace('A=1', 'A=2'));
    }],
    ['not JSON', (path) => writeFile(path, '\0\0\0garbage')],
    ["another key's", async (path) => {
      const other = await index.put(record('other'));
      await writeFile(path, await readFile(index.recordPath(other.key)));
    }],
  ];
  for (const [name, damage] of damages) {
    it(`treats a ${name} record as a miss with a warning, never an exception`, async () => {
      const { key } = await index.put(record('a'));
      await damage(index.recordPath(key));
      expect(await index.get(key)).to.equal(undefined);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(new RegExp(`cache record ${key} is damaged`));
      await index.put(record('a'));
      expect(await index.get(key)).to.not.equal(undefined);
    });
  }

  it('refuses to write a malformed record', async () => {
    const bad = record('bad', { layer: { digest: 'sha256:nothex', diffId: digestOf('x'), size: 1 } });
    const error = await index.put(bad).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('code', 'E_STORE');
  });

  it('keeps the old record when a write dies before its rename', async () => {
    await index.put(record('a'));
    resetFailpoints('index.beforeRename=eio');
    const error = await index.put(record('a', { configChange: { env: ['A=2'] } })).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('code', 'E_STORE');
    expect((error as Error).message).to.match(/cannot write to the tsbuild store/);
    expect((await index.get(keyOf('a')))?.configChange).to.deep.equal({ env: ['A=1'] });
    expect(await readdir(layout.tmp)).to.deep.equal([]);
  });

  it('lets concurrent writers of one key all succeed, the last one winning', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => index.put(record('a', { configChange: { n: i } }))));
    const read = await index.get(keyOf('a'));
    expect(read?.configChange).to.have.property('n').that.is.a('number');
    expect(warnings).to.deep.equal([]);
  });

  it('touch moves the last-use time forward', async () => {
    const { key } = await index.put(record('a'));
    const old = new Date(Date.now() - 3600_000);
    await utimes(index.recordPath(key), old, old);
    expect((await index.get(key))!.lastUsedMs).to.be.below(Date.now() - 3000_000);
    await index.touch(key);
    expect((await index.get(key))!.lastUsedMs).to.be.above(Date.now() - 60_000);
    await index.touch(keyOf('absent'));
  });

  it('finds the previous record of a step, so a miss can be explained', async () => {
    const step = `${keyOf('parent')}/RUN`;
    await index.put(record('1.0', { stepIdentity: step }));
    await index.put(record('2.0', { stepIdentity: step }));
    expect((await index.previousForStep(step))?.key).to.equal(keyOf('2.0'));
    await index.touch(keyOf('1.0'), step);
    const previous = await index.previousForStep(step);
    expect(previous?.key).to.equal(keyOf('1.0'));
    expect(explainKeyChange(previous!.input, record('3.0').input)).to.deep.equal(['op.env.VERSION: "1.0" → "3.0"']);
    expect(await index.previousForStep('never built')).to.equal(undefined);
  });

  it('ignores a damaged step pointer with a warning', async () => {
    await index.put(record('a', { stepIdentity: 's' }));
    const pointers = layout.index + '/steps';
    const [shard] = await readdir(pointers);
    const [file] = await readdir(`${pointers}/${shard}`);
    await writeFile(`${pointers}/${shard}/${file}`, '{"v":1,"sha256":"00","body":{}}');
    expect(await index.previousForStep('s')).to.equal(undefined);
    expect(warnings).to.have.length(1);
  });

  it('lists every record file, damaged ones without a record', async () => {
    await index.put(record('a'));
    const { key } = await index.put(record('b'));
    await truncate(index.recordPath(key), 3);
    const entries = [];
    for await (const entry of index.entries()) entries.push(entry);
    expect(entries.map((e) => [e.key, e.record === undefined]).sort()).to.deep.equal([[keyOf('a'), false], [keyOf('b'), true]].sort());
    expect(await index.delete(keyOf('a'))).to.equal(true);
    expect(await index.delete(keyOf('a'))).to.equal(false);
  });

  it('has a per-key building lock', async () => {
    const held = await index.lockForBuilding(keyOf('a'));
    expect(await index.tryLockForBuilding(keyOf('a'))).to.equal(undefined);
    expect(await index.tryLockForBuilding(keyOf('b'))).to.not.equal(undefined);
    await held.release();
    expect(await index.tryLockForBuilding(keyOf('a'))).to.not.equal(undefined);
  });
});
