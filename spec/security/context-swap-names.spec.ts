// A6, names: while a context folder is swapped back and forth with a symlink to a host folder, no
// error message, and nothing under the root, may carry the host folder's path or the names of its
// files; a listing must never come from outside the context. Errors name context-relative paths.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildContext } from '../../cache/context.js';
import { filesContaining, useHostileBuild } from './hostile-build.js';

// renameat2(RENAME_EXCHANGE) of `d` and `evil`: `d` always exists, a folder or the symlink.
const EXCHANGE_LOOP = ['import ctypes', 'libc = ctypes.CDLL(None, use_errno=True)', 'while True: libc.renameat2(-100, b"d", -100, b"evil", 2)'].join('\n');

describe('security A6: a racing symlink swap leaks no host names [root]', function () {
  this.timeout(300000);
  const hostile = useHostileBuild();
  let hostDir: string;
  let secretName: string;

  before(async function () {
    if (spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL(None).renameat2']).status !== 0) this.skip();
    hostDir = await mkdtemp(join(tmpdir(), 'tsbuild-hostnames-'));
    secretName = `host-only-name-${randomBytes(6).toString('hex')}`;
    // The same names as in `d` too, so a path resolved through the swapped symlink finds a file.
    for (let i = 0; i < 50; i++) await writeFile(join(hostDir, `f${i}`), `${secretName} content\n`);
    await mkdir(join(hostDir, `${secretName}-dir`));
    await writeFile(join(hostDir, secretName), `${secretName} content\n`);
  });
  after(async () => {
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
  });

  async function withSwapping<T>(context: string, action: () => Promise<T>): Promise<T> {
    const flipper = spawn('python3', ['-c', EXCHANGE_LOOP], { cwd: context, stdio: 'ignore' });
    try {
      return await action();
    } finally {
      flipper.kill('SIGKILL');
      await new Promise((resolve) => flipper.once('exit', resolve));
    }
  }

  function expectNoHostNames(messages: readonly string[]): void {
    for (const message of messages) {
      expect(message).not.to.include(hostDir);
      expect(message).not.to.include(secretName);
    }
  }

  it('builds that COPY the swapped folder: errors and stored files hold neither the host path, its names nor its contents', async () => {
    const context = hostile().fixture.context;
    await mkdir(join(context, 'd'));
    for (let i = 0; i < 200; i++) await writeFile(join(context, `d/f${i}`), `file ${i}\n`);
    await symlink(hostDir, join(context, 'evil'));
    const outcomes: string[] = [];
    await withSwapping(context, async () => {
      for (let round = 0; round < 30; round++) {
        const result = await hostile().attempt('FROM busybox:test\nCOPY d /d/\nCOPY . /all/\n', { noCache: true, tags: [`swap:${round}`], network: 'none' });
        outcomes.push(result instanceof Error ? result.message : 'built');
      }
    });
    if (process.env.SEC_DEBUG) console.log(outcomes);
    expectNoHostNames(outcomes);
    for (const message of outcomes) expect(message, 'a host path in an error').not.to.include(context);
    expect(filesContaining(hostile().fixture.root, Buffer.from(secretName)), 'host names or contents under the root').to.deep.equal([]);
    await rm(join(context, 'd'), { recursive: true, force: true });
    await rm(join(context, 'evil'), { recursive: true, force: true });
  });

  it('walking the context directly: listed names all come from the context; errors are context-relative', async () => {
    const context = await mkdtemp(join(tmpdir(), 'tsbuild-swapctx-'));
    try {
      await mkdir(join(context, 'd'));
      for (let i = 0; i < 200; i++) await writeFile(join(context, `d/f${i}`), `file ${i}\n`);
      await symlink(hostDir, join(context, 'evil'));
      const listed: string[] = [];
      const errors: string[] = [];
      await withSwapping(context, async () => {
        for (let round = 0; round < 200; round++) {
          try {
            const opened = await BuildContext.open(context);
            try {
              for (const entry of opened.entries) listed.push(entry.path);
            } finally {
              await opened.dispose();
            }
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
      });
      if (process.env.SEC_DEBUG) console.log(errors.slice(0, 5), errors.length);
      expect(listed.filter((path) => path.includes(secretName)), 'names listed from the host folder').to.deep.equal([]);
      expectNoHostNames(errors);
      for (const message of errors) expect(message).not.to.include(context);
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  });
});
