// A record's file lists live beside it, outside its key: a hit never needs them, a damaged or
// missing list only loses an explanation, and they go away with their record.
import { expect } from 'chai';
import { readdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeyIndex, type NewRecord } from '../../cache/key-index.js';
import { fileListsPath } from '../../cache/record-file-lists.js';
import type { RootLayout } from '../../cache/root.js';
import { prune } from '../../cache/gc.js';
import { digestOf, keyOf, makeTempRoot } from './fixtures/temp-root.js';

const LISTS = { '0': { entries: { 'a.txt': '0123456789abcdef', 'src/': 'fedcba9876543210' }, folders: {} } };

function record(name: string, extra: Partial<NewRecord> = {}): NewRecord {
  return {
    key: keyOf(name),
    layer: { digest: digestOf(`${name} layer`), diffId: digestOf(`${name} tar`), size: 42 },
    configChange: {},
    input: { v: 2, kind: 'COPY', inputs: [{ source: 'context', digest: `sha256:${name}` }] },
    ...extra,
  };
}

describe('cache/record-file-lists', () => {
  let layout: RootLayout;
  let remove: () => Promise<void>;
  let index: KeyIndex;

  beforeEach(async () => {
    ({ layout, remove } = await makeTempRoot());
    index = new KeyIndex(layout);
  });
  afterEach(() => remove());

  it('keeps the lists beside the record, named by digest, and outside the key input', async () => {
    const written = await index.put(record('a', { fileLists: LISTS }));
    const read = await index.get(written.key);
    expect(read!.fileListsDigest).to.match(/^[a-f0-9]{64}$/);
    expect(read!.input).to.deep.equal(record('a').input);
    expect(read).to.not.have.property('fileLists');
    expect(await index.fileLists(read!)).to.deep.equal(LISTS);
    expect(await stat(fileListsPath(index.recordPath(written.key)))).to.have.property('size').above(0);
  });

  it('a hit does not need the lists: a garbled or missing list only makes them unavailable', async () => {
    const { key } = await index.put(record('a', { fileLists: LISTS }));
    const path = fileListsPath(index.recordPath(key));
    await writeFile(path, '{"v":1,"sha256":"00","body":{}}\n');
    const read = await index.get(key);
    expect(read?.layer).to.deep.equal(record('a').layer);
    expect(await index.fileLists(read!)).to.equal(undefined);
    await index.delete(key);
    await index.put(record('a', { fileLists: LISTS }));
    await writeFile(path, 'garbage');
    expect(await index.fileLists((await index.get(key))!)).to.equal(undefined);
  });

  it('never takes another record’s lists: a list left by an older record of the key does not match', async () => {
    const { key } = await index.put(record('a', { fileLists: LISTS }));
    const older = await index.get(key);
    await index.put(record('a', { fileLists: { '0': { entries: { 'b.txt': '0000000000000000' }, folders: {} } } }));
    expect(await index.fileLists(older!)).to.equal(undefined);
    await index.put(record('a'));
    const plain = await index.get(key);
    expect(plain!.fileListsDigest).to.equal(undefined);
    expect(await index.fileLists(plain!)).to.equal(undefined);
    expect(await readdir(dirname(index.recordPath(key)))).to.deep.equal([`${key}.json`]);
  });

  it('entries count the lists’ bytes with their record; delete removes both', async () => {
    const { key } = await index.put(record('a', { fileLists: LISTS }));
    const recordBytes = (await stat(index.recordPath(key))).size;
    const listBytes = (await stat(fileListsPath(index.recordPath(key)))).size;
    const entries = [];
    for await (const entry of index.entries()) entries.push(entry);
    expect(entries.map((entry) => [entry.key, entry.bytes])).to.deep.equal([[key, recordBytes + listBytes]]);
    await index.delete(key);
    expect(await readdir(dirname(index.recordPath(key)))).to.deep.equal([]);
  });

  it('prune removes lists whose record is gone, once they are old enough', async () => {
    const { key } = await index.put(record('a', { fileLists: LISTS }));
    const young = (await index.put(record('b', { fileLists: LISTS }))).key;
    await unlink(index.recordPath(key));
    await unlink(index.recordPath(young));
    const old = new Date(Date.now() - 3600_000);
    await utimes(fileListsPath(index.recordPath(key)), old, old);
    await prune(layout);
    expect(await stat(fileListsPath(index.recordPath(key))).catch(() => undefined)).to.equal(undefined);
    expect(await stat(fileListsPath(index.recordPath(young)))).to.have.property('size').above(0);
  });
});
