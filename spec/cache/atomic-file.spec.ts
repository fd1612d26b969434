import { expect } from 'chai';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TempFile, tempFileName, tempFileOwner, writeFileAtomic } from '../../cache/atomic-file.js';
import { resetFailpoints } from '../../cache/failpoints.js';
import { currentStamp } from '../../cache/process-stamp.js';

describe('cache/atomic-file', () => {
  let base: string;
  let tmpDir: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'tsbuild-atomic-'));
    tmpDir = join(base, 'tmp');
    await mkdir(tmpDir);
  });
  afterEach(async () => {
    resetFailpoints('');
    await rm(base, { recursive: true, force: true });
  });

  it('writes a new file, replaces an old one, and leaves no temp file', async () => {
    const path = join(base, 'a.json');
    await writeFileAtomic(path, '{"one":1}', { tmpDir });
    await writeFileAtomic(path, Buffer.from('{"two":2}'), { tmpDir });
    expect(await readFile(path, 'utf8')).to.equal('{"two":2}');
    expect(await readdir(tmpDir)).to.deep.equal([]);
  });

  it('sets the mode exactly and creates missing parent folders', async () => {
    const path = join(base, 'deep', 'er', 'b');
    await writeFileAtomic(path, 'x', { tmpDir, mode: 0o600 });
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
  });

  it('keeps the old file and removes the temp file when the write fails before the rename', async () => {
    const path = join(base, 'c');
    await writeFileAtomic(path, 'old', { tmpDir });
    resetFailpoints('atomic.beforeRename=eio');
    const error = await writeFileAtomic(path, 'new', { tmpDir }).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('code', 'EIO');
    expect(await readFile(path, 'utf8')).to.equal('old');
    expect(await readdir(tmpDir)).to.deep.equal([]);
  });

  it('streams through TempFile and can be discarded', async () => {
    const temp = await TempFile.create(tmpDir, 0o444);
    await temp.write(Buffer.from('ab'));
    await temp.write(Buffer.from('cd'));
    await temp.publish(join(base, 'd'));
    expect(await readFile(join(base, 'd'), 'utf8')).to.equal('abcd');
    const dropped = await TempFile.create(tmpDir);
    await dropped.write(Buffer.from('zz'));
    await dropped.discard();
    await dropped.discard();
    expect(await readdir(tmpDir)).to.deep.equal([]);
  });

  it('names temp files after their writer', () => {
    expect(tempFileOwner(join(tmpDir, tempFileName()))).to.deep.equal(currentStamp());
    expect(tempFileOwner('other.tmp')).to.equal(undefined);
  });
});
