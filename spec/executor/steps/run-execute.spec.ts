// RUN's execute half with the real namespace sandbox on a busybox rootfs. Expected outputs (ids,
// env, mount modes, error texts) were taken from the same steps built by BuildKit (Docker 26.1).
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { dispatchInstruction, expandForStage } from '../../../executor/dispatch.js';
import { NamespaceSandbox } from '../../../executor/sandbox/namespace-sandbox.js';
import { initialState } from '../../../executor/stage-state.js';
import { runHandler, type RunContextExtras } from '../../../executor/steps/run.js';
import type { StageState, StepContext, StepInput } from '../../../executor/steps/types.js';
import type { RunInstruction } from '../../../parser/instructions/run.js';
import { parseDockerfile } from '../../../parser/stages.js';
import { makeRootfs, makeStagingBase, removeDir, requireRoot, sandboxLeftovers, TextSink } from '../sandbox/sandbox-harness.js';

interface Prepared {
  readonly state: StageState;
  readonly ins: RunInstruction;
}

function prepare(lines: string, buildArgs: Record<string, string> = {}): Prepared {
  const ctx = { buildArgs: new Map(Object.entries(buildArgs)), metaArgs: new Map<string, string>(), escapeToken: '\\' as const, warn: () => undefined };
  const instructions = parseDockerfile(`FROM busybox\n${lines}\n`).stages[0]!.instructions;
  let state = initialState({ stageIndex: 1, base: { config: {}, layers: [], history: [], key: 'sha256:busybox' }, platform: { os: 'linux', architecture: 'amd64' } });
  for (const ins of instructions.slice(0, -1)) state = dispatchInstruction(state, ins, ctx).state;
  return { state, ins: expandForStage(state, instructions[instructions.length - 1] as RunInstruction, ctx) };
}

/**
 * Every path under `dir`, relative, sorted (busybox's applet links left out, and the empty /dev,
 * /proc and /sys mount points a run makes in a base without them and keeps, as runc does).
 */
async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (relative(dir, at) === 'bin') continue;
      if (at === dir && ['dev', 'proc', 'sys'].includes(entry.name) && (await readdir(path)).length === 0) continue;
      out.push(relative(dir, path));
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return out.sort();
}

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const path of await listTree(dir)) {
    const text = await readFile(join(dir, path), 'utf8').catch(() => '');
    if (text.includes(needle)) found.push(path);
  }
  return found;
}

describe('executor/steps/run: execute in the namespace sandbox', function () {
  this.timeout(60_000);
  let sandbox: NamespaceSandbox;
  let staging: string;
  let work: string;
  let rootfs: string;
  let stateDir: string;
  let contextDir: string;
  let stageDir: string;
  let stdout: TextSink;
  let initialTree: string[];

  before(async function () {
    requireRoot(this);
    staging = await makeStagingBase();
    sandbox = new NamespaceSandbox({ stagingBase: staging });
    stateDir = await mkdtemp(join(tmpdir(), 'tsbuild-spec-run-state-'));
  });

  after(async () => {
    await removeDir(staging);
    await removeDir(stateDir);
  });

  beforeEach(async function () {
    requireRoot(this);
    work = await mkdtemp(join(tmpdir(), 'tsbuild-spec-run-'));
    rootfs = await makeRootfs();
    contextDir = join(work, 'context');
    stageDir = join(work, 'stage');
    await mkdir(join(contextDir, 'sub'), { recursive: true });
    await writeFile(join(contextDir, 'sub', 'f'), 'ctxfile\n');
    await mkdir(join(stageDir, 'data'), { recursive: true });
    await writeFile(join(stageDir, 'data', 'f'), 'fromstage\n');
    await writeFile(join(work, 'secret.txt'), 's3cret-value\n');
    initialTree = await listTree(rootfs);
  });

  afterEach(async function () {
    if (!rootfs) return;
    const leftovers = await sandboxLeftovers(rootfs, staging);
    await removeDir(rootfs);
    await removeDir(work);
    expect(leftovers).to.deep.equal([]);
    expect(await readdir(join(stateDir, 'run-scratch-v1')).catch(() => [])).to.deep.equal([]);
  });

  function stepContext(extras: Partial<StepContext> & RunContextExtras = {}): StepContext & RunContextExtras {
    stdout = new TextSink();
    const openSource = async (input: Exclude<StepInput, { source: 'context' | 'url' }>) => {
      if (input.source !== 'stage' || input.stageIndex !== 0) throw new Error(`unexpected source ${JSON.stringify(input)}`);
      return { dir: stageDir, release: async () => undefined };
    };
    const secrets = new Map([['tok', join(work, 'secret.txt')]]);
    return { rootfs, sandbox, contextDir, openSource, stateDir, secrets, stdout, stderr: stdout, signal: AbortSignal.timeout(30_000), stageIndexOf: (name) => (name === 'base' ? 0 : undefined), ...extras };
  }

  async function run(lines: string, options: { buildArgs?: Record<string, string> } = {}): Promise<string> {
    const { state, ins } = prepare(lines, options.buildArgs);
    await runHandler.execute!(stepContext({ buildArgs: new Map(Object.entries(options.buildArgs ?? {})) }), state, ins);
    return stdout.text();
  }

  async function failure(lines: string): Promise<Error & { code?: string }> {
    try {
      await run(lines);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the step to fail');
  }

  it('[root] reports a non-zero exit the way BuildKit does', async () => {
    const error = await failure('RUN false');
    expect(error.code).to.equal('E_STEP');
    expect(error.message).to.equal('process "/bin/sh -c false" did not complete successfully: exit code: 1');
    expect((await failure('RUN ["sh", "-c", "exit 3"]')).message).to.equal('process "sh -c exit 3" did not complete successfully: exit code: 3');
    expect((await failure('RUN echo "a\\b"; exit 4')).message).to.equal('process "/bin/sh -c echo \\"a\\\\b\\"; exit 4" did not complete successfully: exit code: 4');
  });

  it('[root] gives the process the build env, proxies, PATH, HOME, host name and working directory', async () => {
    const lines = 'ARG A=1\nARG B\nARG C\nENV A=override\nWORKDIR /w/x\nRUN env | sort; hostname; pwd';
    const out = await run(lines, { buildArgs: { B: 'bee', NO_PROXY: 'nope' } });
    expect(out.split('\n')).to.include.members([
      'A=override', 'B=bee', 'HOME=/root', 'NO_PROXY=nope', 'no_proxy=nope',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'PWD=/w/x', 'buildkitsandbox', '/w/x',
    ]);
    expect(out).not.to.match(/^C=/m);
  });

  it('[root] takes RUN --network=none over the build\'s network: only lo', async () => {
    const { state, ins } = prepare('RUN --network=none ip -o link | cut -d: -f2');
    await runHandler.execute!(stepContext({ network: 'host' }), state, ins);
    expect(stdout.text()).to.equal(' lo\n');
  });

  it('[root] runs as the USER resolved in the rootfs, with its groups and HOME', async () => {
    expect(await run('RUN id')).to.equal('uid=0(root) gid=0(root) groups=0(root)\n');
    expect(await run('USER 1234\nRUN id')).to.equal('uid=1234 gid=0(root) groups=0(root)\n');
    expect(await run('USER 1234:1234\nRUN id')).to.equal('uid=1234 gid=1234 groups=1234\n');
    expect(await run('USER nobody\nRUN id; echo $HOME')).to.equal('uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n/nonexistent\n');
    expect((await failure('USER daemon\nRUN id')).message).to.equal('unable to find user daemon: no matching entries in passwd file');
  });

  it('[root] keeps a cache mount between runs, with its owner and mode, and leaves no mount point', async () => {
    const first = "RUN --mount=type=cache,target=/c1 --mount=type=cache,target=/deep/c2,id=x,uid=5,gid=6,mode=0700 ls -lnd /c1 /deep/c2 | awk '{print $1, $3, $4}'; echo hi > /c1/f";
    expect(await run(first)).to.equal('drwxr-xr-x 0 0\ndrwx------ 5 6\n');
    expect(await run('RUN --mount=type=cache,target=/c1 cat /c1/f')).to.equal('hi\n');
    expect(await run('RUN --mount=type=cache,target=/other,id=/c1,sharing=locked cat /other/f')).to.equal('hi\n');
    expect(await run('RUN --mount=type=cache,target=/c1,sharing=private ls /c1')).to.equal('f\n');
    expect(await listTree(rootfs)).to.deep.equal(initialTree);
  });

  it('[root] mounts a sized tmpfs and leaves nothing of it', async () => {
    const out = await run('RUN --mount=type=tmpfs,target=/t/u,size=1m df -k /t/u | tail -1; touch /t/u/z');
    expect(out).to.match(/^tmpfs +1024 /);
    expect(await listTree(rootfs)).to.deep.equal(initialTree);
  });

  it('[root] binds the context and a stage read-only; rw changes are thrown away', async () => {
    expect(await run('RUN --mount=type=bind,source=sub,target=/b cat /b/f; touch /b/new 2>&1; true')).to.equal('ctxfile\ntouch: /b/new: Read-only file system\n');
    expect(await run('RUN --mount=type=bind,source=sub,target=/b2,rw touch /b2/new && ls /b2')).to.equal('f\nnew\n');
    expect(await readdir(join(contextDir, 'sub'))).to.deep.equal(['f']);
    expect(await run('RUN --mount=type=bind,from=base,source=/data,target=/fs cat /fs/f')).to.equal('fromstage\n');
    expect((await failure('RUN --mount=type=bind,source=missing,target=/x true')).message).to.equal('"/missing": not found');
    expect(await listTree(rootfs)).to.deep.equal(initialTree);
  });

  it('[root] resolves a bind source inside its tree: a link to / in a stage never reaches the host (CVE-2024-1753)', async () => {
    await symlink('/', join(stageDir, 'rootdir'));
    await run('RUN --mount=type=bind,from=base,source=/rootdir,target=/exploit,rw touch /exploit/BIND_BREAKOUT');
    expect(existsSync('/BIND_BREAKOUT')).to.equal(false);
    expect(existsSync(join(stageDir, 'BIND_BREAKOUT'))).to.equal(false);
  });

  it('[root] shows a secret as a 0400 file or a variable, and leaves it nowhere', async () => {
    expect(await run('RUN --mount=type=secret,id=tok cat /run/secrets/tok && ls -l /run/secrets | cut -c1-10')).to.equal('s3cret-value\ntotal 4\n-r--------\n');
    expect(await run("RUN --mount=type=secret,id=tok,target=/etc/tok,env=TOKV,mode=0444,uid=5 echo \"env=$TOKV\"; ls -ln /etc/tok | awk '{print $1, $3, $4}'")).to.equal('env=s3cret-value\n\n-r--r--r-- 5 0\n');
    expect(await run('RUN --mount=type=secret,id=missing echo ok-missing; ls /run 2>&1; true')).to.equal('ok-missing\nls: /run: No such file or directory\n');
    expect((await failure('RUN --mount=type=secret,id=nope,required true')).message).to.equal('secret nope: not found');
    expect(await listTree(rootfs)).to.deep.equal(initialTree);
    expect(await filesContaining(rootfs, 's3cret')).to.deep.equal([]);
  });

  it('[root] stops on abort and still releases every mount (secret copy, cache lock)', async () => {
    const { state, ins } = prepare('RUN --mount=type=secret,id=tok --mount=type=cache,target=/c,sharing=locked sleep 20');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const error = await runHandler.execute!(stepContext({ signal: controller.signal }), state, ins).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(error?.code).to.equal('E_ABORTED');
    expect(Date.now() - started).to.be.below(10_000);
    // The lock is free again: a locked run of the same cache goes through at once.
    expect(await run('RUN --mount=type=cache,target=/c,sharing=locked echo free')).to.equal('free\n');
  });

  it('[root] runs heredocs: the body, a shebang script, and heredocs read by the shell', async () => {
    expect(await run('RUN <<EOF\necho simple heredoc\necho line2\nEOF')).to.equal('simple heredoc\nline2\n');
    expect(await run('RUN <<EOF\n#!/bin/sh -e\necho "shebang $# $- $0"\nEOF')).to.equal('shebang 0 e /dev/pipes/EOF\n');
    expect(await run('RUN cat <<EOF > /tmp/x && cat /tmp/x\nin file\nEOF')).to.equal('in file\n');
    expect(await run('RUN <<-EOT\n\techo chomped\n\tEOT')).to.equal('chomped\n');
    expect((await failure('RUN <<EOF\n#!/bin/sh\nexit 7\nEOF')).message).to.equal('process "/bin/sh -c /dev/pipes/EOF" did not complete successfully: exit code: 7');
    expect(await listTree(rootfs)).to.deep.equal([...initialTree, 'tmp/x'].sort());
  });
});
