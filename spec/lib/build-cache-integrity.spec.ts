// A stored layer blob whose bytes were damaged on disk (one flipped byte) is never used as a
// result: the next build notices (E_INTEGRITY warning or a plain miss), runs the step again, and
// its image is the one a clean build in a fresh root gives; `verify` then finds the root sound.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyIndex } from '../../cache/key-index.js';
import { rootLayout } from '../../cache/root.js';
import { imageIdOf, makeCrashRoot, spawnCli } from './build-crash-support.js';

/** The stored layer blob of the first record whose key input is of `kind`. */
async function layerBlobOf(root: string, kind: string): Promise<{ digest: string; path: string }> {
  const layout = rootLayout(root);
  for await (const entry of new KeyIndex(layout).entries()) {
    const input = entry.record?.input as { kind?: string } | undefined;
    const layer = entry.record?.layer;
    if (input?.kind === kind && layer) return { digest: layer.digest, path: join(layout.content, 'sha256', layer.digest.slice('sha256:'.length)) };
  }
  throw new Error(`no ${kind} record with a layer`);
}

async function flipByte(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    const at = Math.floor(size / 2);
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, at);
  } finally {
    await handle.close();
  }
}

describe('a damaged layer blob in the store [root]', function () {
  this.timeout(180000);
  let parent: string;
  before(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tsbuild-integrity-'));
  });
  after(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  for (const kind of ['RUN', 'COPY']) {
    it(`one flipped byte in a ${kind} layer: the next build reruns the step and gives the clean image`, async () => {
      const clean = await makeCrashRoot(parent, `clean-${kind}`);
      const cleanId = imageIdOf(await spawnCli(['--root', clean.root, 'build', '-q', clean.context]));
      const { root, context } = await makeCrashRoot(parent, `damaged-${kind}`);
      expect(imageIdOf(await spawnCli(['--root', root, 'build', '-q', '-t', 'damaged:x', context]))).to.equal(cleanId);

      const blob = await layerBlobOf(root, kind);
      await flipByte(blob.path);
      const iidfile = join(parent, `iid-${kind}`);
      const rebuilt = await spawnCli(['--root', root, 'build', '--progress', 'plain', '--iidfile', iidfile, '-t', 'damaged:x', context]);
      expect(rebuilt.code, rebuilt.output).to.equal(0);
      // Keys do not depend on results: only the step whose layer was damaged runs again.
      expect((rebuilt.output.match(/CACHED/g) ?? []).length, rebuilt.output).to.equal(2);
      expect((rebuilt.output.match(/DONE/g) ?? []).length, rebuilt.output).to.equal(1);
      expect((await readFile(iidfile, 'utf8')).trim()).to.equal(cleanId);

      const bytes = await readFile(blob.path);
      expect('sha256:' + createHash('sha256').update(bytes).digest('hex')).to.equal(blob.digest);
      const verified = await spawnCli(['--root', root, 'verify']);
      expect(verified.code, verified.output).to.equal(0);
    });
  }
});
