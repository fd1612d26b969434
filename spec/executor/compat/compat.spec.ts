// Each case under this folder (a Dockerfile of WORKDIR/COPY/ADD steps, its context and what the
// reference BuildKit produced, `expected.fs`) is run through the step handlers on a busybox rootfs.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addHandler } from '../../../executor/steps/add.js';
import { copyHandler } from '../../../executor/steps/copy.js';
import type { StageState } from '../../../executor/steps/types.js';
import { workdirHandler } from '../../../executor/steps/workdir.js';
import { parseDockerfile } from '../../../parser/stages.js';
import { makeBusyboxRootfs } from '../../support/busybox-rootfs.js';
import { makeWorld } from '../copy/copy-harness.js';
import { listTouched } from '../copy/fs-listing.js';
import { contextFor, scratchState } from '../steps/dispatch-line.js';

const CASES = fileURLToPath(new URL('../../../../spec/executor/compat/', import.meta.url));

/**
 * Folder modes git cannot store (a checkout makes every folder 0755): the cases' contexts share a
 * `dir/sub` that was 0750 when BuildKit built them, so it is set again before each run.
 */
const FOLDER_MODES: readonly (readonly [string, number])[] = [['dir/sub', 0o750]];

function restoreFolderModes(contextDir: string): void {
  for (const [path, mode] of FOLDER_MODES) {
    if (fs.existsSync(join(contextDir, path))) fs.chmodSync(join(contextDir, path), mode);
  }
}

async function runCase(dir: string, contextDir: string, rootfs: string): Promise<void> {
  const world = makeWorld();
  const ctx = { ...world.ctx, rootfs, contextDir };
  let state: StageState = scratchState();
  try {
    for (const ins of parseDockerfile(fs.readFileSync(join(dir, 'Dockerfile'), 'utf8')).stages[0]!.instructions) {
      if (ins.kind === 'WORKDIR') {
        await workdirHandler.execute!(ctx, state, ins);
        state = workdirHandler.apply(state, ins, contextFor());
      } else if (ins.kind === 'COPY') {
        await copyHandler.execute!(ctx, state, ins);
        state = copyHandler.apply(state, ins, contextFor());
      } else if (ins.kind === 'ADD') {
        await addHandler.execute!(ctx, state, ins);
        state = addHandler.apply(state, ins, contextFor());
      } else throw new Error(`compat cases hold only WORKDIR/COPY/ADD, not ${ins.kind}`);
    }
  } finally {
    world.cleanup();
  }
}

describe('COPY/ADD compatibility corpus against BuildKit 0.13 [root]', () => {
  const names = fs.readdirSync(CASES).filter((name) => fs.existsSync(join(CASES, name, 'expected.fs'))).sort();
  it('has at least 15 cases', () => expect(names.length).to.be.at.least(15));
  for (const name of names) {
    it(`${name} [root]`, async function () {
      if (process.getuid?.() !== 0) this.skip();
      const dir = join(CASES, name);
      const rootfs = fs.mkdtempSync(join(os.tmpdir(), 'compat-rootfs-'));
      try {
        await makeBusyboxRootfs(rootfs);
        restoreFolderModes(join(dir, 'context'));
        await runCase(dir, join(dir, 'context'), rootfs);
        const touched = fs.readFileSync(join(dir, 'touched'), 'utf8').split('\n').filter((line) => line !== '');
        const expected = fs.readFileSync(join(dir, 'expected.fs'), 'utf8').split('\n').filter((line) => line !== '');
        expect(listTouched(rootfs, touched)).to.deep.equal(expected.map((line) => line.trimEnd()).sort());
      } finally {
        fs.rmSync(rootfs, { recursive: true, force: true });
      }
    });
  }
});
