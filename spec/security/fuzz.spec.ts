// A bounded, seeded mutation fuzzer for the two readers that take hostile bytes first: the
// Dockerfile parser (with planning, which expands variables) and the layer tar reader. Corpus
// files are mutated (bit flips, byte and chunk insertions, deletions, duplications, splices of two
// inputs, interesting numbers written into tar header fields) for a fixed time per target; the
// only failure allowed is a clean TsbuildError. Anything else (a TypeError, a RangeError, a hang
// past the per-input limit) fails with the seed and iteration to reproduce it.
// FUZZ_SECONDS (default 30) sets the time per target, FUZZ_SEED the seed (default: from the clock).
import { expect } from 'chai';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { applyLayer } from '../../executor/snapshot/index.js';
import { TsbuildError } from '../../lib/errors.js';
import { hostPlatform } from '../../lib/platform.js';
import { planBuild } from '../../parser/plan.js';
import { parseDockerfile } from '../../parser/stages.js';
import { breakoutCases } from '../executor/snapshot/breakout-cases.js';
import { conformanceDir, projectRoot } from '../support/conformance.js';
import { mkTar } from '../support/mk-tar.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 30);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: small, fast and reproducible from one 32-bit seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const INTERESTING = ['0', '-1', '7777777', '77777777777', '\0', '..', '/', '${', '$(', '\\', '<<EOF', '\n', '\r\n', 'ÿ', '%', 'a'.repeat(300)];

/** One mutation of `input` (sometimes spliced with `other`). */
export function mutate(input: Buffer, other: Buffer, next: () => number): Buffer {
  const pick = (n: number) => Math.floor(next() * n);
  const at = pick(input.length + 1);
  switch (pick(7)) {
    case 0: {
      const copy = Buffer.from(input);
      if (copy.length > 0) copy[pick(copy.length)] ^= 1 << pick(8);
      return copy;
    }
    case 1:
      return Buffer.concat([input.subarray(0, at), Buffer.from([pick(256)]), input.subarray(at)]);
    case 2:
      return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + 1 + pick(64)))]);
    case 3: {
      const chunk = input.subarray(at, at + pick(512));
      return Buffer.concat([input.subarray(0, at), chunk, chunk, input.subarray(at)]);
    }
    case 4:
      return Buffer.concat([input.subarray(0, at), other.subarray(pick(other.length + 1))]);
    case 5: {
      const copy = Buffer.from(input);
      Buffer.from(INTERESTING[pick(INTERESTING.length)]!, 'latin1').copy(copy, at);
      return copy;
    }
    default: {
      // A tar header field (name, mode, size, checksum, typeflag, linkname, magic) of some block.
      const blocks = Math.max(1, Math.floor(input.length / 512));
      const fields = [0, 100, 124, 148, 156, 157, 257, 345];
      const offset = pick(blocks) * 512 + fields[pick(fields.length)]!;
      const copy = Buffer.from(input);
      Buffer.from(INTERESTING[pick(INTERESTING.length)]!, 'latin1').copy(copy, Math.min(offset, Math.max(0, copy.length - 1)));
      return copy;
    }
  }
}

/** Runs `target` on mutated corpus inputs for SECONDS; returns how many inputs were tried. */
async function fuzz(name: string, corpus: readonly Buffer[], target: (input: Buffer) => Promise<void>): Promise<number> {
  const next = random(SEED);
  const deadline = Date.now() + SECONDS * 1000;
  let iterations = 0;
  while (Date.now() < deadline) {
    const base = corpus[Math.floor(next() * corpus.length)]!;
    let input = base;
    const rounds = 1 + Math.floor(next() * 4);
    for (let i = 0; i < rounds; i++) input = mutate(input, corpus[Math.floor(next() * corpus.length)]!, next);
    iterations++;
    const started = Date.now();
    try {
      await target(input);
    } catch (error) {
      if (!(error instanceof TsbuildError)) {
        const where = `${name}: seed ${SEED}, iteration ${iterations}, input ${input.toString('base64').slice(0, 2000)}`;
        expect.fail(`not a clean TsbuildError (${(error as Error)?.stack ?? String(error)})\n${where}`);
      }
    }
    expect(Date.now() - started, `${name}: seed ${SEED}, iteration ${iterations} took too long`).to.be.below(10000);
  }
  if (process.env.FUZZ_VERBOSE) console.log(`${name}: ${iterations} inputs in ${SECONDS} s (seed ${SEED})`);
  return iterations;
}

function dockerfileCorpus(): Buffer[] {
  const files: Buffer[] = [];
  const examples = join(projectRoot, 'examples');
  for (const dir of readdirSync(examples)) {
    for (const name of ['Dockerfile', 'Dockerfile.nginx']) {
      const path = join(examples, dir, name);
      if (existsSync(path)) files.push(readFileSync(path));
    }
  }
  const testfiles = join(conformanceDir, 'parser', 'testfiles');
  if (existsSync(testfiles)) {
    for (const dir of readdirSync(testfiles)) {
      const path = join(testfiles, dir, 'Dockerfile');
      if (existsSync(path)) files.push(readFileSync(path));
    }
  }
  files.push(Buffer.from('# syntax=docker/dockerfile:1\n# escape=`\nARG A=${B:-${C:+x}}\nFROM busybox AS b\nRUN <<EOF bash\necho ${A:?no}\nEOF\nCOPY --from=b --chmod=0755 ["/a", "/b"]\nHEALTHCHECK --interval=5s CMD ["true"]\nONBUILD RUN x\nENV X=${A%%y*} Y=$X\\\n  Z=1\n'));
  return files;
}

function tarCorpus(): Buffer[] {
  const tars = breakoutCases.map((c) => mkTar(c.entries({ canaryDir: '/nonexistent-fuzz-canary', tag: 'fuzz' })));
  tars.push(mkTar([{ name: 'a/', type: 'dir' }, { name: 'a/f', data: 'x'.repeat(700) }, { name: 'a/.wh.g' }, { name: 'a/.wh..wh..opq' }, { name: 'l', type: 'link', linkname: 'a/f' }, { name: 'p', data: 'y', pax: { path: 'long/'.repeat(30), 'SCHILY.xattr.user.x': 'v' } }]));
  return [...tars, ...tars.slice(0, 8).map((tar) => gzipSync(tar))];
}

describe(`security: bounded fuzzing of the parser and the tar reader (${SECONDS} s each, seed ${SEED})`, function () {
  this.timeout(SECONDS * 1000 + 120000);

  it('the Dockerfile parser and planner fail only with clean errors', async () => {
    const platform = hostPlatform();
    const iterations = await fuzz('parser', dockerfileCorpus(), async (input) => {
      const parsed = parseDockerfile(input.toString('utf8'), { file: 'Dockerfile' });
      planBuild(parsed, { platform, buildArgs: new Map([['B', 'b']]) });
    });
    expect(iterations).to.be.above(10);
  });

  it('the layer tar reader fails only with clean errors, and never writes outside its folder', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tsbuild-fuzz-'));
    let n = 0;
    try {
      const iterations = await fuzz('tar', tarCorpus(), async (input) => {
        const root = join(parent, `r${n++}`, 'root');
        await import('node:fs/promises').then((fs) => fs.mkdir(root, { recursive: true }));
        try {
          const whiteouts = n % 2 === 0 ? 'remove' : 'literal';
          await applyLayer(Readable.from([input]), root, { whiteouts, budgets: { maxBytes: 16 << 20, maxEntries: 10000 }, onWarning: () => undefined });
        } finally {
          await rm(join(parent, `r${n - 1}`), { recursive: true, force: true });
        }
      });
      expect(iterations).to.be.above(10);
      expect(readdirSync(parent), 'nothing written beside the per-input folders').to.deep.equal([]);
      expect(existsSync('/nonexistent-fuzz-canary')).to.equal(false);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
