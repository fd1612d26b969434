import { expect } from 'chai';
import { lstatSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveWorkdir, workdirHandler } from '../../../executor/steps/workdir.js';
import type { StepContext } from '../../../executor/steps/types.js';
import { dispatchLines, scratchState, stateAfter } from './dispatch-line.js';

describe('WORKDIR step', () => {
  const cases: [string | undefined, string, string][] = [
    [undefined, 'app', '/app'],
    ['/', 'app', '/app'],
    ['/a', 'b/../c', '/a/c'],
    ['/a', '../up', '/up'],
    ['/a', '/srv/../opt/x/', '/srv/../opt/x/'],
    ['/a/', '', '/a/'],
    ['rel', 'x', '/rel/x'],
  ];
  for (const [current, path, expected] of cases) {
    it(`${JSON.stringify(current)} + ${JSON.stringify(path)} → ${expected}`, () => expect(resolveWorkdir(current, path)).to.equal(expected));
  }
  it('history: a layer for any directory but /, text with the resolved path', () => {
    const state = stateAfter('WORKDIR /\nWORKDIR rel\nENV D=d\nWORKDIR $D');
    expect(state.config.WorkingDir).to.equal('/rel/d');
    expect(state.history.filter((h) => h.created_by.startsWith('WORKDIR'))).to.deep.equal([
      { created_by: 'WORKDIR /', comment: 'buildkit.dockerfile.v0', empty_layer: true },
      { created_by: 'WORKDIR /rel', comment: 'buildkit.dockerfile.v0' },
      { created_by: 'WORKDIR /rel/d', comment: 'buildkit.dockerfile.v0' },
    ]);
  });
  it('describes the resolved path', () => {
    expect(dispatchLines('WORKDIR /a\nWORKDIR b').map((d) => d.description.op)).to.deep.equal([{ path: '/a' }, { path: '/a/b' }]);
  });

  describe('[root] execute', () => {
    let rootfs: string;
    beforeEach(async () => {
      rootfs = await mkdtemp(join(tmpdir(), 'workdir-'));
      await mkdir(join(rootfs, 'etc'));
      await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n');
      await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    });
    afterEach(async () => rm(rootfs, { recursive: true, force: true }));
    const ctx = () => ({ rootfs }) as unknown as StepContext;
    const owner = (path: string) => { const s = lstatSync(join(rootfs, path)); return [s.uid, s.gid, s.mode & 0o7777]; };

    // The reference: USER 1000:1000 / 1000 / nobody, then WORKDIR /w1/w2 → both folders owned so, 0755.
    const users: [string, number[]][] = [['', [0, 0, 0o755]], ['1000:1000', [1000, 1000, 0o755]], ['1000', [1000, 1000, 0o755]], ['nobody', [65534, 65534, 0o755]]];
    for (const [user, expected] of users) {
      it(`creates missing parents owned by USER ${JSON.stringify(user)}`, async function () {
        if (process.getuid?.() !== 0) this.skip();
        const state = scratchState(user === '' ? {} : { User: user });
        const ins = dispatchLines('WORKDIR /w1/w2', state)[0]!.expanded;
        await workdirHandler.execute!(ctx(), state, ins as never);
        expect([owner('w1'), owner('w1/w2')]).to.deep.equal([expected, expected]);
      });
    }
    it('leaves an existing directory alone and never writes outside the root through a symlink', async () => {
      await mkdir(join(rootfs, 'keep'), { mode: 0o700 });
      const { symlinkSync } = await import('node:fs');
      symlinkSync('/', join(rootfs, 'escape'));
      for (const path of ['/keep', '/escape/inside']) {
        const state = scratchState();
        await workdirHandler.execute!(ctx(), state, dispatchLines(`WORKDIR ${path}`, state)[0]!.expanded as never);
      }
      expect(lstatSync(join(rootfs, 'keep')).mode & 0o777).to.equal(0o700);
      expect(lstatSync(join(rootfs, 'inside')).isDirectory()).to.equal(true);
      expect(() => lstatSync('/inside')).to.throw();
    });
  });
});
