// Micro-benchmark: the per-run overhead of the namespace sandbox, measured as the wall time of
// running `true` in a busybox rootfs (setup, the process tree, teardown and cleanup included).
// Not a test: it prints numbers. Needs root (or user namespaces) and busybox-static.
//
// bench/ is not in tsconfig.json yet; compile and run it with:
//   npx tsc -p tsconfig.json && npx tsc --module nodenext --moduleResolution nodenext --target es2022 \
//     --strict --skipLibCheck --types node --rootDir . --outDir dist bench/sandbox.ts
//   node dist/bench/sandbox.js [runs=50] [network=default]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { NamespaceSandbox } from '../executor/sandbox/namespace-sandbox.js';
import type { NetworkMode, RunSpec } from '../executor/sandbox/types.js';
import { makeBusyboxRootfs } from '../spec/support/busybox-rootfs.js';

const WARMUP_RUNS = 5;

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

function report(label: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  console.log(`  ${label}: median ${ms(percentile(sorted, 0.5))}  p90 ${ms(percentile(sorted, 0.9))}  min ${ms(sorted[0]!)}  max ${ms(sorted.at(-1)!)}`);
}

async function timeRuns(sandbox: NamespaceSandbox, spec: RunSpec, runs: number): Promise<number[]> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = await sandbox.run(spec, { stdout: discard, stderr: process.stderr });
    if (result.exitCode !== 0) throw new Error(`run ${i} exited with ${result.exitCode}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 50);
  const network = (process.argv[3] ?? 'default') as NetworkMode;
  const rootfs = await mkdtemp(join(tmpdir(), 'tsbuild-bench-rootfs-'));
  try {
    await makeBusyboxRootfs(rootfs);
    const sandbox = new NamespaceSandbox();
    const spec: RunSpec = {
      rootfs, args: ['true'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], hostname: 'bench', network, mounts: [],
    };
    await timeRuns(sandbox, spec, WARMUP_RUNS); // host detection, page cache
    console.log(`sandbox overhead of \`true\` over ${runs} runs (network ${network}):`);
    report('busybox, like scratch (6 mount stubs per run)', await timeRuns(sandbox, spec, runs));
    // Real base images have their mount points: no stubs to create and remove.
    for (const dir of ['proc', 'dev', 'sys']) await mkdir(join(rootfs, dir));
    for (const file of ['hosts', 'resolv.conf', 'hostname']) await writeFile(join(rootfs, 'etc', file), '');
    report('with /proc, /dev, /sys and /etc files present', await timeRuns(sandbox, spec, runs));
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

await main();
