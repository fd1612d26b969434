// What `--explain-cache` says for a miss, from the step's last record and the new key input:
// files of context inputs by name, env and build args by name, the rest as a generic key diff.
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { keyInput, cacheKey, type Json, type KeyParts } from '../../cache/cache-key.js';
import { boundedFileList, fileListJson, type SelectedEntry } from '../../cache/context-files.js';
import { KeyIndex } from '../../cache/key-index.js';
import { fileListsPath } from '../../cache/record-file-lists.js';
import type { RootLayout } from '../../cache/root.js';
import { explainMiss, recordFileLists, type ContextSelections } from '../../executor/scheduler-explain.js';
import { makeTempRoot } from '../cache/fixtures/temp-root.js';

const STEP = 'the step';

function runParts(env: string[], buildArgs: string[], extra: Partial<KeyParts> = {}): KeyParts {
  return { parent: 'scratch', kind: 'RUN', op: { args: ['make'], env, buildArgs }, platform: { os: 'linux' }, ...extra };
}

function file(path: string, fingerprint: string): SelectedEntry {
  return { path, depth: path.split('/').length, dir: false, own: fingerprint, tree: fingerprint };
}

function copyParts(digests: string[]): KeyParts {
  const inputs = digests.map((digest, n) => ({ source: 'context', paths: [`src${n}`], exclude: [], followPaths: true, digest }));
  return { parent: 'scratch', kind: 'COPY', op: { dest: '/app' }, platform: { os: 'linux' }, inputs };
}

describe('executor/scheduler-explain', () => {
  let layout: RootLayout;
  let remove: () => Promise<void>;
  let index: KeyIndex;

  beforeEach(async () => {
    ({ layout, remove } = await makeTempRoot());
    index = new KeyIndex(layout);
  });
  afterEach(() => remove());

  async function record(parts: KeyParts, selections: ContextSelections = new Map()): Promise<void> {
    await index.put({ key: cacheKey(parts), layer: null, configChange: {}, input: keyInput(parts), stepIdentity: STEP, ...recordFileLists(selections) });
  }

  function explain(parts: KeyParts, selections: ContextSelections = new Map(), text = 'COPY src0 /app'): Promise<readonly string[]> {
    return explainMiss(index, false, { stepIdentity: STEP, input: keyInput(parts), useCache: true, selections, text });
  }

  it('says there is nothing to compare with, or that the cache was not asked', async () => {
    expect(await explain(runParts([], []))).to.deep.equal(['no earlier build of this step']);
    await record(runParts([], []));
    expect(await explainMiss(index, true, { stepIdentity: STEP, input: keyInput(runParts([], [])), useCache: false, selections: new Map(), text: 'RUN make' })).to.deep.equal(['--no-cache']);
    expect(await explainMiss(index, false, { stepIdentity: STEP, input: keyInput(runParts([], [])), useCache: false, selections: new Map(), text: 'RUN make' })).to.deep.equal(['--no-cache-filter']);
  });

  it('names build args and env by name, a build arg the RUN also sees as env once', async () => {
    await record(runParts(['PATH=/bin', 'VERSION=1.0', 'OLD=x'], ['VERSION=1.0']));
    const lines = await explain(runParts(['DEBUG=1', 'PATH=/bin', 'VERSION=2.0'], ['VERSION=2.0']));
    expect(lines).to.deep.equal(['build arg VERSION: 1.0 → 2.0', 'env DEBUG added: 1', 'env OLD removed (was x)']);
  });

  it('says "changed" for long values, and still reports other parts of the key', async () => {
    const long = 'x'.repeat(60);
    await record(runParts([`BIG=${long}`], []));
    const lines = await explain(runParts([`BIG=${long}y`], [], { op: { args: ['make', 'all'], env: [`BIG=${long}y`], buildArgs: [] } }));
    expect(lines).to.deep.equal(['env BIG changed', 'op.args[1] added: "all"']);
  });

  it('names the files of a context input whose digest moved, labelled with the step', async () => {
    const before = new Map([[0, [file('src0/a.txt', '1'), file('src0/old.txt', '2')]]]);
    await record(copyParts(['sha256:1']), before);
    const after = new Map([[0, [file('src0/a.txt', '9'), file('src0/new.txt', '3')]]]);
    expect(await explain(copyParts(['sha256:2']), after)).to.deep.equal(['COPY src0 /app: src0/a.txt changed, src0/new.txt added, src0/old.txt removed']);
  });

  it('with several context inputs, labels each with its paths and explains only those that moved', async () => {
    const same = [file('src1/b.txt', '5')];
    await record(copyParts(['sha256:1', 'sha256:5']), new Map([[0, [file('src0/a.txt', '1')]], [1, same]]));
    const lines = await explain(copyParts(['sha256:2', 'sha256:5']), new Map([[0, [file('src0/a.txt', '2')]], [1, same]]), 'RUN --mount=src0 --mount=src1 make');
    expect(lines).to.deep.equal(['RUN --mount=src0 --mount=src1 make (src0): src0/a.txt changed']);
  });

  it('falls back to the key diff when the record has no readable file lists', async () => {
    const parts = copyParts(['sha256:1']);
    await record(parts, new Map([[0, [file('src0/a.txt', '1')]]]));
    await writeFile(fileListsPath(index.recordPath(cacheKey(parts))), 'damaged');
    expect(await explain(copyParts(['sha256:2']), new Map([[0, [file('src0/a.txt', '2')]]]))).to.deep.equal(['inputs[0].digest: "sha256:1" → "sha256:2"']);
  });

  it('records a bounded list per context input, none for a step without one', () => {
    expect(recordFileLists(new Map())).to.deep.equal({});
    const entries = [file('a', '1')];
    expect(recordFileLists(new Map([[2, entries]]))).to.deep.equal({ fileLists: { '2': fileListJson(boundedFileList(entries)) as Json } });
  });
});
