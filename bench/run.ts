// The side-by-side benchmark (a program, never a timed test): builds each workload with tsbuild
// and, when a BuildKit answers, with BuildKit in the same run, alternating which goes first, and
// prints medians, tsbuild's peak memory and the ratios against the targets.
//   npm run bench -- [--runs N] [--only NAME[,NAME]] [--scale] [--no-buildkit] [--keep] [--dir DIR]
// --scale runs ctx5k, ctx20k and ctx80k (how cost grows with the number of context files).
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import minimist from 'minimist';
import { measureContextHashing, type HashingFigures } from './context-hash.js';
import { Results } from './report.js';
import { BuildKitBuilder, TsbuildBuilder, type Builder } from './tools.js';
import { DEFAULT_WORKLOADS, SCALE_WORKLOADS, findWorkload, type Workload } from './workloads.js';

interface Options {
  readonly runs: number;
  readonly workloads: readonly Workload[];
  readonly buildkit: boolean;
  readonly keep: boolean;
  readonly dir: string;
}

function parseOptions(argv: readonly string[]): Options {
  const args = minimist([...argv], { boolean: ['buildkit', 'keep', 'scale'], string: ['only', 'dir'], default: { buildkit: true } });
  const names = typeof args.only === 'string' && args.only !== '' ? args.only.split(',') : undefined;
  const workloads = names
    ? names.map((name) => findWorkload(name) ?? fail(`unknown workload ${name}`))
    : args.scale ? SCALE_WORKLOADS : DEFAULT_WORKLOADS;
  const runs = Number(args.runs ?? 3);
  if (!Number.isInteger(runs) || runs < 1) fail('--runs needs a whole number of at least 1');
  return { runs, workloads, buildkit: args.buildkit !== false, keep: args.keep === true, dir: args.dir ?? join(tmpdir(), 'tsbuild-bench') };
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

/** One builder through every phase of a workload: cold (fresh cache), warm, touched. */
async function measure(builder: Builder, workload: Workload, contextDir: string, results: Results, serial: number): Promise<void> {
  for (const phase of workload.phases) {
    if (phase === 'cold') await builder.makeCold();
    if (phase === 'touched') await workload.touch!(contextDir, serial);
    const sample = await builder.build(workload.name, contextDir);
    results.add(workload.name, phase, builder.name, sample);
    const rss = sample.peakRss ? `, peak ${(sample.peakRss / 1e6).toFixed(0)} MB` : '';
    console.log(`  ${workload.name} ${phase} ${builder.name}: ${(sample.ms / 1000).toFixed(2)} s${rss}`);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const builders: Builder[] = [await TsbuildBuilder.create(join(options.dir, 'tsbuild'))];
  if (options.buildkit && (await BuildKitBuilder.available())) builders.push(new BuildKitBuilder());
  else console.log(options.buildkit ? 'no BuildKit answers (docker buildx, base image): tsbuild only' : 'tsbuild only');
  const results = new Results();
  let serial = 0;
  let hashing: HashingFigures | undefined;
  try {
    // The context hashing figures (in-process, no build): with the 20,000-file workload.
    if (options.workloads.some((workload) => workload.name === 'ctx20k')) {
      console.log('context hashing: 20,000 files');
      hashing = await measureContextHashing({ files: 20_000, folders: 400, keep: false });
    }
    for (const workload of options.workloads) {
      const contextDir = join(options.dir, 'contexts', workload.name);
      await rm(contextDir, { recursive: true, force: true });
      await mkdir(contextDir, { recursive: true });
      await workload.create(contextDir);
      console.log(`${workload.name}: ${workload.summary}`);
      for (let runIndex = 0; runIndex < options.runs; runIndex++) {
        // Alternate which builder goes first, so neither always meets a cooler page cache.
        const order = runIndex % 2 === 0 ? builders : [...builders].reverse();
        for (const builder of order) await measure(builder, workload, contextDir, results, ++serial);
      }
      if (!options.keep) await rm(contextDir, { recursive: true, force: true });
    }
  } finally {
    if (!options.keep) {
      for (const builder of builders) await builder.dispose();
      await rm(join(options.dir, 'contexts'), { recursive: true, force: true });
    }
  }
  console.log(`\nmedians over ${options.runs} run(s); ratio = tsbuild / BuildKit\n${results.format()}`);
  if (hashing !== undefined) {
    console.log(`\ncontext hashing, ${hashing.files.toLocaleString('en')} files: cold ${hashing.coldMbPerSecond.toFixed(0)} MB/s (${(hashing.coldMs / 1000).toFixed(2)} s), warm check ${hashing.warmMs.toFixed(0)} ms`);
    console.log('time to decide "all cached" for an unchanged build: the ctx20k warm row (the whole CLI process)');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
