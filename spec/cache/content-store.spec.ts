import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, truncate, utimes, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore } from '../../cache/content-store.js';
import { resetFailpoints } from '../../cache/failpoints.js';
import { createRootFolders, rootLayout, type RootLayout } from '../../cache/root.js';
import { TsbuildError } from '../../lib/errors.js';

function digestOf(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function rejection(promise: Promise<unknown>): Promise<TsbuildError> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  expect(outcome, 'expected a rejection').to.be.instanceOf(TsbuildError);
  return outcome as TsbuildError;
}

/** Rewrites a stored blob on disk, as bit rot or a careless hand would. */
async function tamper(path: string, change: (path: string) => Promise<void>): Promise<void> {
  await chmod(path, 0o644);
  await change(path);
}

describe('cache/content-store', () => {
  let base: string;
  let layout: RootLayout;
  let store: ContentStore;
  const hello = Buffer.from('hello, blob\n');

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'tsbuild-content-'));
    layout = rootLayout(join(base, 'root'));
    await createRootFolders(layout);
    store = await ContentStore.open(layout);
  });
  afterEach(async () => {
    resetFailpoints('');
    await rm(base, { recursive: true, force: true });
  });

  describe('ingest', () => {
    it('stores a Buffer under content-v1/sha256/<hex>, read-only, leaving no temp file', async () => {
      const result = await store.ingest(hello);
      expect(result).to.deep.equal({ digest: digestOf(hello), size: hello.length, created: true });
      const path = join(layout.content, 'sha256', digestOf(hello).slice(7));
      expect(await readFile(path)).to.deep.equal(hello);
      expect((await stat(path)).mode & 0o777).to.equal(0o444);
      expect(await readdir(layout.tmp)).to.deep.equal([]);
    });

    it('stores a stream, hashing as it goes, and an empty blob', async () => {
      const chunks = [Buffer.from('hello, '), Buffer.from('blob\n')];
      expect(await store.ingest(Readable.from(chunks))).to.include({ digest: digestOf(hello), size: hello.length });
      expect(await store.ingest(Buffer.alloc(0))).to.include({ digest: digestOf(''), size: 0 });
    });

    it('treats an existing blob as success (dedup), also for concurrent ingests', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => store.ingest(hello)));
      expect(new Set(results.map((r) => r.digest)).size).to.equal(1);
      expect((await store.ingest(hello)).created).to.equal(false);
      expect(await readdir(join(layout.content, 'sha256'))).to.have.length(1);
      expect(await readdir(layout.tmp)).to.deep.equal([]);
    });

    it('heals a rotten copy when the same content is ingested again', async () => {
      const { digest } = await store.ingest(hello);
      await tamper(store.blobPath(digest), (path) => writeFile(path, 'rotten, blob'));
      await store.ingest(hello);
      expect(await store.readVerified(digest)).to.deep.equal(hello);
    });

    it('refuses bytes that do not match the expected digest or size, storing nothing', async () => {
      const wrongDigest = await rejection(store.ingest(hello, { expectedDigest: digestOf('other') }));
      expect(wrongDigest.code).to.equal('E_INTEGRITY');
      expect(wrongDigest.message).to.match(/digest mismatch/);
      const tooLong = await rejection(store.ingest(Readable.from([hello, hello]), { expectedSize: hello.length }));
      expect(tooLong.message).to.match(/size mismatch/);
      const tooShort = await rejection(store.ingest(hello, { expectedSize: hello.length + 1 }));
      expect(tooShort.message).to.match(/size mismatch/);
      expect(await readdir(join(layout.content, 'sha256'))).to.deep.equal([]);
      expect(await readdir(layout.tmp)).to.deep.equal([]);
    });

    it('stops on an aborted signal and removes its temp file', async () => {
      const controller = new AbortController();
      async function* slow(): AsyncGenerator<Buffer> {
        yield Buffer.from('a');
        controller.abort();
        yield Buffer.from('b');
      }
      expect((await rejection(store.ingest(slow(), { signal: controller.signal }))).code).to.equal('E_ABORTED');
      expect(await readdir(layout.tmp)).to.deep.equal([]);
    });

    it('reports a full disk as E_STORE saying so, and stores nothing', async () => {
      resetFailpoints('content.beforeRename=enospc');
      const error = await rejection(store.ingest(hello));
      expect(error.code).to.equal('E_STORE');
      expect(error.message).to.match(/no space left on device/);
      expect(await store.has(digestOf(hello))).to.equal(false);
      expect(await readdir(layout.tmp)).to.deep.equal([]);
    });

    it('protects the digest through the lease before it becomes visible', async () => {
      const seen: string[][] = [];
      const lease = { protect: async (digests: readonly string[]) => {
        expect(await store.has(digests[0]!)).to.equal(false);
        seen.push([...digests]);
      } };
      await store.ingest(hello, { lease });
      expect(seen).to.deep.equal([[digestOf(hello)]]);
    });
  });

  describe('digests', () => {
    for (const bad of ['../../etc/passwd', 'sha256:' + 'A'.repeat(64), 'sha256:' + 'a'.repeat(63), 'sha512:' + 'a'.repeat(64), `sha256:${'a'.repeat(64)}/..`]) {
      it(`rejects ${JSON.stringify(bad)} before building a path`, async () => {
        expect(() => store.blobPath(bad)).to.throw(TsbuildError).with.property('code', 'E_INTEGRITY');
        expect((await rejection(store.readVerified(bad))).code).to.equal('E_INTEGRITY');
        expect((await rejection(store.ingest(hello, { expectedDigest: bad }))).code).to.equal('E_INTEGRITY');
      });
    }
  });

  describe('reads', () => {
    it('returns verified bytes, and E_NOT_FOUND for a missing blob', async () => {
      const { digest } = await store.ingest(hello);
      expect(await store.readVerified(digest, { expectedSize: hello.length })).to.deep.equal(hello);
      expect((await rejection(store.readVerified(digestOf('absent')))).code).to.equal('E_NOT_FOUND');
    });

    const corruptions: [string, (path: string) => Promise<void>][] = [
      ['a flipped byte', async (path) => {
        const data = await readFile(path);
        data[3]! ^= 1;
        await writeFile(path, data);
      }],
      ['an appended NUL', (path) => appendFile(path, '\0')],
      ['truncation', (path) => truncate(path, 4)],
      ['another valid blob', (path) => writeFile(path, 'another blob')],
      ['zero bytes', (path) => truncate(path, 0)],
    ];
    for (const [name, corrupt] of corruptions) {
      it(`detects ${name} on read (E_INTEGRITY), removes the blob, and then reports a miss`, async () => {
        const { digest } = await store.ingest(hello);
        await tamper(store.blobPath(digest), corrupt);
        const error = await rejection(store.readVerified(digest));
        expect(error.code).to.equal('E_INTEGRITY');
        expect(error.message).to.match(/removed/);
        expect(await store.has(digest)).to.equal(false);
        expect((await rejection(store.readVerified(digest))).code).to.equal('E_NOT_FOUND');
      });
    }

    it('reports a size other than the expected one without removing a correct blob', async () => {
      const { digest } = await store.ingest(hello);
      const error = await rejection(store.readVerified(digest, { expectedSize: 3 }));
      expect(error.code).to.equal('E_INTEGRITY');
      expect(await store.has(digest)).to.equal(true);
    });

    it('streams a good blob and ends', async () => {
      const { digest } = await store.ingest(hello);
      const chunks: Buffer[] = [];
      for await (const chunk of await store.createVerifiedReadStream(digest)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks)).to.deep.equal(hello);
    });

    it('fails a stream of a corrupt blob before it ends, and removes the blob', async () => {
      const big = Buffer.alloc(3 << 20, 7);
      const { digest } = await store.ingest(big);
      await tamper(store.blobPath(digest), async (path) => appendFile(path, 'x'));
      const stream = await store.createVerifiedReadStream(digest);
      let ended = false;
      stream.on('end', () => (ended = true));
      const error = await rejection((async () => {
        for await (const _ of stream) void _;
      })());
      expect(error.code).to.equal('E_INTEGRITY');
      expect(ended).to.equal(false);
      expect(await store.has(digest)).to.equal(false);
    });

    it('withVerifiedStream returns a result only after the whole blob verified, even if the consumer stops early', async () => {
      const { digest } = await store.ingest(hello);
      const firstByte = async (stream: Readable) => ((await stream[Symbol.asyncIterator]().next()).value as Buffer)[0];
      expect(await store.withVerifiedStream(digest, firstByte)).to.equal(hello[0]);
      await tamper(store.blobPath(digest), (path) => writeFile(path, Buffer.concat([hello.subarray(0, 5), Buffer.from('!!!!!!!')])));
      expect((await rejection(store.withVerifiedStream(digest, firstByte))).code).to.equal('E_INTEGRITY');
      expect(await store.has(digest)).to.equal(false);
    });
  });


  it('skips re-hashing a blob unchanged since it hashed right, and still finds one damaged in place', async () => {
    const { digest } = await store.ingest(Buffer.from('layer bytes'));
    expect(await readdir(join(layout.statcache, 'blobs'))).to.deep.equal([digest.slice(7)]);
    expect(await store.verifyBlobUnlessUnchanged(digest)).to.equal('ok');
    // Same size, same mtime, one byte changed: only the ctime tells, and that is enough.
    const path = store.blobPath(digest);
    const before = await stat(path);
    await chmod(path, 0o644);
    await writeFile(path, 'LAYER bytes');
    await utimes(path, before.atime, before.mtime);
    expect(await store.verifyBlobUnlessUnchanged(digest)).to.equal('corrupt');
    expect(await store.has(digest)).to.equal(false);
    expect(await store.verifyBlobUnlessUnchanged(digest)).to.equal('missing');
  });
  it('stat, list and delete', async () => {
    const a = await store.ingest(Buffer.from('a'));
    const b = await store.ingest(Buffer.from('bb'));
    expect(await store.stat(b.digest)).to.include({ digest: b.digest, size: 2 });
    expect(await store.stat(digestOf('none'))).to.equal(undefined);
    const listed = [];
    for await (const blob of store.list()) listed.push(blob.digest);
    expect(listed.sort()).to.deep.equal([a.digest, b.digest].sort());
    expect(await store.delete(a.digest)).to.equal(true);
    expect(await store.delete(a.digest)).to.equal(false);
    expect(await store.has(a.digest)).to.equal(false);
  });
});
