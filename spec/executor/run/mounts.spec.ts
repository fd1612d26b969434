// RUN mounts prepared without running anything: cache sharing modes and keys, bind and cache
// sources resolved inside their trees, secret copies, targets, and cleanup on every path.
import { expect } from 'chai';
import { existsSync, lstatSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { currentStamp, formatStamp } from '../../../cache/process-stamp.js';
import type { RunMount } from '../../../parser/instructions/run-mount.js';
import { parseRunMount } from '../../../parser/instructions/run-mount.js';
import { absoluteTarget, type MountContext } from '../../../executor/run/mount-types.js';
import { prepareRunMounts } from '../../../executor/run/mounts.js';
import { FakeSandbox } from '../../../executor/sandbox/fake-sandbox.js';
import type { StepContext } from '../../../executor/steps/types.js';

function mountOf(spec: string): RunMount {
  return parseRunMount(spec, (value) => value);
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('executor/run: mounts', () => {
  let work: string;
  let mc: MountContext;
  let opened: number;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'tsbuild-spec-mounts-'));
    for (const dir of ['context/sub', 'stage/data', 'state']) await mkdir(join(work, dir), { recursive: true });
    await writeFile(join(work, 'context/sub/f'), 'ctx\n');
    await writeFile(join(work, 'stage/data/f'), 'stage\n');
    await writeFile(join(work, 'secret'), 'top-secret');
    opened = 0;
    const step = {
      rootfs: join(work, 'rootfs'),
      sandbox: new FakeSandbox(),
      contextDir: join(work, 'context'),
      openSource: async () => ({ dir: join(work, 'stage'), release: async () => void opened-- }),
      stateDir: join(work, 'state'),
      secrets: new Map([['tok', join(work, 'secret')]]),
      stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
      stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
      signal: AbortSignal.timeout(20_000),
    } as unknown as StepContext;
    mc = {
      step,
      workdir: '/app',
      openFrom: async (from) => {
        if (from !== 'base') throw new Error(`unknown source ${from}`);
        opened++;
        return step.openSource({ source: 'stage', stageIndex: 0 });
      },
    };
  });

  afterEach(async () => rm(work, { recursive: true, force: true }));

  async function scratchLeft(): Promise<string[]> {
    return readdir(join(work, 'state', 'run-scratch-v1')).catch(() => []);
  }

  it('makes relative targets absolute from the working directory', () => {
    expect(absoluteTarget('cache', '/app')).to.equal('/app/cache');
    expect(absoluteTarget('../x/', '/app/sub')).to.equal('/app/x');
    expect(absoluteTarget('/abs/./y', '/app')).to.equal('/abs/y');
  });

  it('gives the same cache folder to the same id, a new one to another id, owner or mode', async () => {
    const sourceOf = async (spec: string) => {
      const prepared = await prepareRunMounts(mc, [mountOf(spec)]);
      await prepared.release();
      return (prepared.mounts[0] as { source: string }).source;
    };
    const a = await sourceOf('type=cache,target=/c');
    expect(await sourceOf('type=cache,target=/d,id=/c')).to.equal(a);
    expect(await sourceOf('type=cache,target=/c,id=other')).not.to.equal(a);
    expect(await sourceOf('type=cache,target=/c,uid=5')).not.to.equal(a);
    expect(await sourceOf('type=cache,target=/c,mode=0700')).not.to.equal(a);
    expect((lstatSync(a).mode & 0o7777).toString(8)).to.equal('755');
  });

  it('never builds a path from a cache id (buildah CVE-2024-9675: id=../../..)', async () => {
    const prepared = await prepareRunMounts(mc, [mountOf('type=cache,target=/c,id=../../../../escape')]);
    const source = (prepared.mounts[0] as { source: string }).source;
    await prepared.release();
    expect(source.startsWith(join(work, 'state', 'run-cache-v1') + '/')).to.equal(true);
    expect(source).not.to.include('escape');
    expect(existsSync(join(work, '..', 'escape'))).to.equal(false);
  });

  it('private: a second run gets another instance while the first holds one; locked: it waits', async () => {
    const first = await prepareRunMounts(mc, [mountOf('type=cache,target=/c,sharing=private')]);
    const second = await prepareRunMounts(mc, [mountOf('type=cache,target=/c,sharing=private')]);
    const sources = [first, second].map((p) => (p.mounts[0] as { source: string }).source);
    expect(sources[0]).not.to.equal(sources[1]);
    await Promise.all([first.release(), second.release()]);

    const holder = await prepareRunMounts(mc, [mountOf('type=cache,target=/c,sharing=locked')]);
    let waiterDone = false;
    const waiter = prepareRunMounts(mc, [mountOf('type=cache,target=/c,sharing=locked')]).then((p) => {
      waiterDone = true;
      return p;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waiterDone).to.equal(false);
    await holder.release();
    await (await waiter).release();
    expect(waiterDone).to.equal(true);
  });

  it('seeds a cache from a stage once, and resolves source= inside its trees', async () => {
    const prepared = await prepareRunMounts(mc, [mountOf('type=cache,target=/c,from=base,source=data')]);
    const source = (prepared.mounts[0] as { source: string }).source;
    expect(await readFile(join(source, 'f'), 'utf8')).to.equal('stage\n');
    await prepared.release();
    expect(opened).to.equal(0);
    const error = await errorOf(prepareRunMounts(mc, [mountOf('type=cache,target=/c,source=sub')]));
    expect(error.message).to.equal('a cache mount with source= and no from= needs sharing=locked or sharing=private');
  });

  it('keeps a cache source= link to / inside the cache (BuildKit testCacheMountSourceEscape)', async () => {
    const first = await prepareRunMounts(mc, [mountOf('type=cache,target=/c,id=esc,sharing=locked')]);
    const cacheDir = (first.mounts[0] as { source: string }).source;
    await symlink('/etc', join(cacheDir, 'sel'));
    await first.release();
    const error = await errorOf(prepareRunMounts(mc, [mountOf('type=cache,target=/c,id=esc,sharing=locked,source=sel')]));
    expect(error.message).to.equal('"/sel": not found');
    await mkdir(join(cacheDir, 'etc'));
    const inside = await prepareRunMounts(mc, [mountOf('type=cache,target=/c,id=esc,sharing=locked,source=sel')]);
    expect((inside.mounts[0] as { source: string }).source).to.equal(join(cacheDir, 'etc'));
    await inside.release();
  });

  it('binds context and stage paths resolved inside the tree, read-only unless rw (then a copy)', async () => {
    await symlink('/../../sub', join(work, 'context', 'link'));
    const prepared = await prepareRunMounts(mc, [mountOf('type=bind,source=link,target=b'), mountOf('type=bind,from=base,source=/data,target=/s,rw')]);
    // Sorted by depth: /s before /app/b.
    expect(prepared.mounts[1]).to.deep.equal({ type: 'bind', source: join(work, 'context', 'sub'), target: '/app/b', readonly: true });
    const copy = prepared.mounts[0] as { source: string; readonly: boolean };
    expect(copy.readonly).to.equal(false);
    expect(copy.source.startsWith(join(work, 'state', 'run-scratch-v1'))).to.equal(true);
    expect(await readFile(join(copy.source, 'f'), 'utf8')).to.equal('stage\n');
    expect(opened).to.equal(1);
    await prepared.release();
    expect(opened).to.equal(0);
    expect(await scratchLeft()).to.deep.equal([]);
  });

  it('copies a secret into a private 0400 file, exposes env=, and removes it on release', async () => {
    const prepared = await prepareRunMounts(mc, [mountOf('type=secret,id=tok'), mountOf('type=secret,id=tok,env=TOKEN'), mountOf('type=secret,id=absent')]);
    expect(prepared.mounts).to.have.length(1);
    const mount = prepared.mounts[0] as { source: string; target: string; readonly: boolean };
    expect(mount.target).to.equal('/run/secrets/tok');
    expect(mount.readonly).to.equal(true);
    expect((lstatSync(mount.source).mode & 0o777).toString(8)).to.equal('400');
    expect(prepared.env).to.deep.equal(['TOKEN=top-secret']);
    await prepared.release();
    expect(existsSync(mount.source)).to.equal(false);
    expect(await scratchLeft()).to.deep.equal([]);
  });

  it('removes scratch folders whose owner died (a secret copy left by a killed build)', async () => {
    const base = join(work, 'state', 'run-scratch-v1');
    const dead = formatStamp({ ...currentStamp(), pid: 999_999_999 });
    await mkdir(join(base, `${dead}_secret_0123`), { recursive: true });
    await mkdir(join(base, 'not-a-stamp'), { recursive: true });
    const prepared = await prepareRunMounts(mc, [mountOf('type=secret,id=tok')]);
    await prepared.release();
    expect(await scratchLeft()).to.deep.equal(['not-a-stamp']);
  });

  it('orders parents before children and releases what was prepared when a later mount fails', async () => {
    const prepared = await prepareRunMounts(mc, [mountOf('type=tmpfs,target=/a/b/c'), mountOf('type=tmpfs,target=/a,size=1k')]);
    expect(prepared.mounts).to.deep.equal([{ type: 'tmpfs', target: '/a', size: 1024 }, { type: 'tmpfs', target: '/a/b/c' }]);
    const error = await errorOf(prepareRunMounts(mc, [mountOf('type=secret,id=tok'), mountOf('type=bind,from=base,source=nope,target=/x')]));
    expect(error.message).to.equal('"/nope": not found');
    expect(opened).to.equal(0);
    expect(await scratchLeft()).to.deep.equal([]);
    expect((await errorOf(prepareRunMounts(mc, [mountOf('type=secret,id=gone,required')]))).message).to.equal('secret gone: not found');
    expect((await errorOf(prepareRunMounts(mc, [mountOf('type=ssh,required')]))).message).to.match(/^no SSH key "default" forwarded from the client/);
    expect((await prepareRunMounts(mc, [mountOf('type=ssh')])).mounts).to.deep.equal([]);
  });
});
