// The end-to-end corpus: each folder here is a whole build (Dockerfile + context, see generate.sh
// for the format) with what the reference BuildKit produced: the filesystem as a difference from
// the base image (expected.fs) and the config fields a Dockerfile sets (expected.cfg). Each case is
// built with build() into a fresh root holding the busybox base, and compared line by line; cases
// marked check-layers also compare every layer's entries (expected.layers).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentStore } from '../../cache/content-store.js';
import { createRootFolders, rootLayout, type RootLayout } from '../../cache/root.js';
import { build } from '../../lib/build.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { importRootfs } from '../../lib/store/import-rootfs.js';
import { BUSYBOX_TAG, makeBusyboxTar } from '../support/busybox-image.js';
import { configProjection, imageListing, listingDifference } from './image-listing.js';
import { layerEntries } from './layer-entries.js';

const CASES = fileURLToPath(new URL('../../../spec/compat/', import.meta.url));

function caseNames(): string[] {
  return fs.readdirSync(CASES).filter((name) => fs.existsSync(join(CASES, name, 'Dockerfile'))).sort();
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '') : [];
}

/** build() options the case's files ask for: build-args, target, secrets. */
function caseOptions(ctx: string): { buildArgs: Record<string, string>; target?: string; secrets: Record<string, string> } {
  const buildArgs = Object.fromEntries(lines(join(ctx, 'build-args')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const secrets = Object.fromEntries(lines(join(ctx, 'secrets')).map((line) => {
    const fields = Object.fromEntries(line.split(',').map((field) => field.split('=') as [string, string]));
    return [fields.id!, join(ctx, fields.src!)];
  }));
  const target = lines(join(ctx, 'target'))[0];
  return { buildArgs, secrets, ...(target ? { target } : {}) };
}

/** A copy of the case with `prepare` run in it (what git cannot hold: modes, links, archives). */
async function preparedCopy(name: string, work: string): Promise<string> {
  const ctx = join(work, name);
  await cp(join(CASES, name), ctx, { recursive: true, verbatimSymlinks: true });
  for (const file of fs.readdirSync(ctx)) if (file.startsWith('expected.')) fs.rmSync(join(ctx, file));
  if (fs.existsSync(join(ctx, 'prepare'))) {
    execFileSync('./prepare', { cwd: ctx, stdio: 'pipe' });
    fs.rmSync(join(ctx, 'prepare'));
  }
  return ctx;
}

async function buildCase(root: string, ctx: string, name: string): Promise<void> {
  if (fs.existsSync(join(ctx, 'pre'))) {
    const tag = lines(join(ctx, 'pre', 'tag'))[0]!;
    await build({ root, context: join(ctx, 'pre'), tags: [tag], network: 'none' });
  }
  await build({ root, context: ctx, tags: [`compat/${name}:tsbuild`], network: 'none', ...caseOptions(ctx) });
}

describe('end-to-end corpus against BuildKit 0.13 [root]', function () {
  this.timeout(300_000);
  let work: string;
  let layout: RootLayout;
  let baseListing: string[];

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    work = await mkdtemp(join(tmpdir(), 'tsbuild-compat-'));
    // mkdtemp makes 0700, and a RUN as a non-root USER under such a root exits 126 (a sandbox
    // limitation BuildKit does not have); open it up so the cases test what they are about.
    await chmod(work, 0o755);
    layout = rootLayout(join(work, 'root'));
    await createRootFolders(layout);
    await makeBusyboxTar(join(work, 'busybox.tar'));
    const base = await importRootfs(await ImageStore.open(layout), join(work, 'busybox.tar'), { name: BUSYBOX_TAG });
    baseListing = await imageListing(await ContentStore.open(layout), base);
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('has at least 25 cases, each with recorded expectations', () => {
    const names = caseNames();
    expect(names.length).to.be.at.least(25);
    for (const name of names) expect(fs.existsSync(join(CASES, name, 'expected.fs')) || fs.existsSync(join(CASES, name, 'expected.err')), name).to.equal(true);
  });

  for (const name of caseNames()) {
    it(`${name} [root]`, async function () {
      if (!fs.existsSync(join(CASES, name, 'expected.fs'))) this.skip();
      const ctx = await preparedCopy(name, work);
      await buildCase(layout.root, ctx, name);
      const image = await (await ImageStore.open(layout)).resolve(`compat/${name}:tsbuild`);
      const full = await imageListing(await ContentStore.open(layout), image);
      const listing = fs.existsSync(join(CASES, name, 'full-listing')) ? full : listingDifference(baseListing, full);
      expect(listing.join('\n')).to.equal(lines(join(CASES, name, 'expected.fs')).join('\n'));
      expect(configProjection(image.config)).to.equal(fs.readFileSync(join(CASES, name, 'expected.cfg'), 'utf8').trimEnd());
      if (fs.existsSync(join(CASES, name, 'expected.layers'))) {
        // Layers below `check-layers`' number are only counted: the spec base is not the
        // reference's (no /dev, /proc, /sys), and that shows in the base and the first RUN.
        const from = Number(lines(join(CASES, name, 'check-layers'))[0] ?? 0);
        const compared = (all: string[]): string[] => all.map((line) => (Number(/^L(\d+)/.exec(line)![1]) < from ? line.replace(/ .*/, '') : line)).filter((line, i, list) => line !== list[i - 1]);
        const ours = compared(await layerEntries(await ContentStore.open(layout), image));
        expect(ours.join('\n')).to.equal(compared(lines(join(CASES, name, 'expected.layers'))).join('\n'));
      }
      for (const secret of Object.values(caseOptions(ctx).secrets)) {
        // A secret's value never reaches the config or its history (the listing covers the layers).
        expect(JSON.stringify(image.config)).not.to.contain(fs.readFileSync(secret, 'utf8'));
      }
    });
  }
});
