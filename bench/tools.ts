// The two builders the benchmark compares. Each runs a build as a separate process (as a user
// would) and reports its wall time; tsbuild also reports the peak resident memory of its process.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeBusyboxRootfs } from '../spec/support/busybox-rootfs.js';
import { BASE_IMAGE } from './workloads.js';

const run = promisify(execFile);

export interface Sample {
  readonly ms: number;
  /** Peak resident set size in bytes, when the tool's own process can be measured. */
  readonly peakRss?: number;
}

export interface Builder {
  readonly name: string;
  /** Empties the build cache; the base image stays (not timed). */
  makeCold(): Promise<void>;
  build(workload: string, contextDir: string): Promise<Sample>;
  dispose(): Promise<void>;
}

/** Runs a command, failing with its stderr when it exits non-zero; resolves with the wall time. */
function timedSpawn(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) done(ms);
      else fail(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`));
    });
  });
}

// Both builders run RUN steps with --network none: the workloads need no network, and the
// reference dockerd here has no bridge network.
const TIME = '/usr/bin/time';
const CLI = resolve(import.meta.dirname, '..', '..', 'bin', 'tsbuild.js');

export class TsbuildBuilder implements Builder {
  readonly name = 'tsbuild';
  private readonly root: string;
  private readonly rssFile: string;

  private constructor(private readonly workDir: string, private readonly baseTar: string) {
    this.root = join(workDir, 'root');
    this.rssFile = join(workDir, 'rss');
  }

  static async create(workDir: string): Promise<TsbuildBuilder> {
    await mkdir(workDir, { recursive: true });
    return new TsbuildBuilder(workDir, await findBaseTar(workDir));
  }

  /** A fresh root holding only the imported base image. */
  async makeCold(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    await run('node', [CLI, '--root', this.root, 'import', this.baseTar, BASE_IMAGE]);
  }

  async build(workload: string, contextDir: string): Promise<Sample> {
    const cli = ['node', CLI, '--root', this.root, 'build', '--network', 'none', '-q', '-t', `bench-${workload}:tsbuild`, contextDir];
    if (!existsSync(TIME)) return { ms: await timedSpawn(cli[0]!, cli.slice(1), process.env) };
    const ms = await timedSpawn(TIME, ['-f', '%M', '-o', this.rssFile, ...cli], process.env);
    const kib = Number((await readFile(this.rssFile, 'utf8')).trim().split('\n').at(-1));
    return { ms, peakRss: kib * 1024 };
  }

  dispose(): Promise<void> {
    return rm(this.workDir, { recursive: true, force: true });
  }
}

/** The oracle's busybox rootfs tar if this machine has it, else one made from busybox-static. */
async function findBaseTar(workDir: string): Promise<string> {
  const prepared = process.env.TSBUILD_BENCH_BASE ?? '/tmp/oracle-busybox-rootfs.tar';
  if (existsSync(prepared)) return prepared;
  const rootfs = await mkdtemp(join(workDir, 'rootfs-'));
  await makeBusyboxRootfs(rootfs);
  const tar = join(workDir, 'busybox-rootfs.tar');
  await run('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-cf', tar, '.']);
  await rm(rootfs, { recursive: true, force: true });
  return tar;
}

export class BuildKitBuilder implements Builder {
  readonly name = 'BuildKit';
  private readonly tags = new Set<string>();

  /** Whether a dockerd with BuildKit answers and has the base image. */
  static async available(): Promise<boolean> {
    try {
      await run('docker', ['image', 'inspect', BASE_IMAGE]);
      await run('docker', ['buildx', 'version']);
      return true;
    } catch {
      return false;
    }
  }

  async makeCold(): Promise<void> {
    await run('docker', ['builder', 'prune', '-af']);
  }

  build(workload: string, contextDir: string): Promise<Sample> {
    const tag = `bench-${workload}:buildkit`;
    this.tags.add(tag);
    const env = { ...process.env, DOCKER_BUILDKIT: '1' };
    return timedSpawn('docker', ['build', '--network', 'none', '-q', '-t', tag, contextDir], env).then((ms) => ({ ms }));
  }

  async dispose(): Promise<void> {
    if (this.tags.size > 0) await run('docker', ['rmi', ...this.tags]).catch(() => undefined);
  }
}
