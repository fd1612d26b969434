// The real build behind `tsbuild build`: flags into BuildOptions, progress onto stderr, the image
// ID onto stdout (alone with -q) and into --iidfile.
import { text as streamText } from 'node:stream/consumers';
import { randomUUID } from 'node:crypto';
import { lstat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { enforceMaxSize } from '../../cache/gc.js';
import { createRootFolders } from '../../cache/root.js';
import type { Platform } from '../../executor/image-config.js';
import { addHostsFrom } from '../add-host.js';
import { buildContextsFrom } from '../named-contexts.js';
import type { TransferListener } from '../transfer-progress.js';
import { build, type BuildResult } from '../build.js';
import type { RootLayout } from '../../cache/root.js';
import { TsbuildError, UsageError } from '../errors.js';
import { parseOutputSpec } from '../export/output-spec.js';
import { checkPushNames, pushBuiltImage, pushedNames } from '../export/registry-push.js';
import { parseCacheFrom, parseCacheTo } from '../build-cache/cache-spec.js';
import { sourceDateEpoch } from '../image/timestamps.js';
import { ImageStore } from '../store/image-store.js';
import { labelsFrom, secretsFrom, sshAgentsFrom } from './build-flags.js';
import { registryOptions } from './commands/pull.js';
import { exitCodes, type CliIO } from './command.js';
import type { ParsedFlags } from './options.js';
import { cliRootLayout } from './root-option.js';
import { writeJsonResult } from './progress-json.js';
import { progressFor } from './progress-mode.js';
import { parseSizeFlag } from './units.js';

export interface BuildRunInputs {
  readonly contextArg: string;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly platform: Platform;
}

export async function runBuild(parsed: ParsedFlags, io: CliIO, inputs: BuildRunInputs): Promise<number> {
  cacheCapOf(parsed, io); // a bad --cache-max-size fails before building
  // Bad -o and cache values, and a push with no name, fail before building.
  checkPushNames((parsed.flags.tag as string[]), parsed.flags.push === true, (parsed.flags.output as string[]).map(parseOutputSpec));
  const cacheFrom = (parsed.flags['cache-from'] as string[]).map((text) => parseCacheFrom(text, io.cwd));
  const cacheTo = (parsed.flags['cache-to'] as string[]).map((text) => parseCacheTo(text, io.cwd));
  // build() opens the root (and sweeps dead writers' leftovers); only its folders are needed first,
  // for a stdin context and secrets written under tmp/.
  const layout = cliRootLayout(parsed, io);
  await createRootFolders(layout);
  const labels = labelsFrom(parsed.flags.label as string[]);
  const epoch = sourceDateEpochOf(inputs, io);
  const addHosts = addHostsFrom(parsed.flags['add-host'] as string[]);
  const buildContexts = buildContextsFrom(parsed.flags['build-context'] as string[], io.cwd);
  const ssh = sshAgentsFrom(parsed.flags.ssh as string[], io.env, io.cwd);
  const progress = progressFor(parsed, io);
  const quiet = progress.mode === 'quiet';
  const cleanup: string[] = [];
  const { context, file, dockerfileText } = await contextFolder(parsed, io, inputs.contextArg, layout.tmp, cleanup);
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const say = (line: string): unknown => quiet || progress.mode === 'json' || (progress.say ? progress.say(line) : io.stderr.write(`${line}\n`));
    const result = await build({
      context,
      ...(file !== undefined ? { dockerfile: file } : {}),
      ...(dockerfileText !== undefined ? { dockerfileText } : {}),
      root: layout.root,
      tags: parsed.flags.tag as string[],
      ...(parsed.flags.target !== undefined ? { target: parsed.flags.target as string } : {}),
      buildArgs: Object.fromEntries(inputs.buildArgs),
      noCache: parsed.flags['no-cache'] === true,
      labels,
      ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
      noCacheFilter: (parsed.flags['no-cache-filter'] as string[]).flatMap((value) => value.split(',')).map((name) => name.trim().toLowerCase()).filter(Boolean),
      explainCache: parsed.flags['explain-cache'] === true,
      ...(parsed.flags['run-disk-quota'] !== undefined ? { runDiskQuota: parseSizeFlag(parsed.flags['run-disk-quota'] as string, 'run-disk-quota') } : {}),
      ...(parsed.flags.network !== undefined ? { network: parsed.flags.network as 'default' | 'none' | 'host' } : {}),
      secrets: await secretFiles(parsed.flags.secret as string[], io, layout.tmp, cleanup),
      ssh,
      pull: parsed.flags.pull === true ? 'always' : 'missing',
      registry: registryOptions(parsed, io),
      cacheFrom,
      cacheTo,
      onStatus: say,
      onWarning: (message) => say(`warning: ${message}`),
      ...(addHosts.length > 0 ? { addHosts } : {}),
      buildContexts,
      signal: abort.signal,
      ...(progress.onEvent ? { onEvent: progress.onEvent } : {}),
      ...(progress.onTransfer ? { onTransfer: progress.onTransfer } : {}),
    }).catch((error: unknown) => {
      progress.finish();
      throw error;
    });
    // The live view stays up while -o outputs are written and pushed, for their progress bars.
    await deliver(layout, parsed, io, result, epoch, progress.onTransfer)
      .then(() => pushOutputs(layout, parsed, io, result, say))
      .finally(() => progress.finish());
    if (progress.mode === 'json') writeJsonResult(io.stderr, result);
    else if (!quiet) io.stderr.write(`writing image ${result.imageId} done\n${result.tags.map((tag) => `naming to ${tag} done\n`).join('')}`);
    io.stdout.write(quiet ? `${result.imageId}\n` : '');
    return exitCodes.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all(cleanup.map((path) => rm(path, { recursive: true, force: true })));
  }
}

/** After the build: -o outputs, --metadata-file, --cache-max-size and --iidfile. */
async function deliver(layout: RootLayout, parsed: ParsedFlags, io: CliIO, result: BuildResult, epoch: number | undefined, onTransfer?: TransferListener): Promise<void> {
  const outputs = (parsed.flags.output as string[]).map(parseOutputSpec);
  const metadataFile = parsed.flags['metadata-file'] as string | undefined;
  if (outputs.length > 0 || metadataFile !== undefined) {
    const { exportBuildResult } = await import('../export/build-output.js'); // only with -o / --metadata-file
    await exportBuildResult(await ImageStore.open(layout), result, {
      outputs, stdout: io.stdout, cwd: io.cwd,
      ...(onTransfer ? { onTransfer } : {}),
      ...(metadataFile !== undefined ? { metadataFile } : {}),
      ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
    });
  }
  const cacheCap = cacheCapOf(parsed, io);
  if (cacheCap !== undefined) await enforceMaxSize(layout, cacheCap, (await ImageStore.open(layout)).keepOptions());
  const iidfile = parsed.flags.iidfile as string | undefined;
  if (iidfile !== undefined) await writeFile(resolve(io.cwd, iidfile), result.imageId);
}

/** SOURCE_DATE_EPOCH in seconds: the build arg, else the environment variable (as buildx reads it). */
function sourceDateEpochOf(inputs: BuildRunInputs, io: CliIO): number | undefined {
  const instant = sourceDateEpoch({ SOURCE_DATE_EPOCH: inputs.buildArgs.get('SOURCE_DATE_EPOCH') ?? io.env.SOURCE_DATE_EPOCH });
  return instant === undefined ? undefined : instant.getTime() / 1000;
}

/**
 * The context folder and Dockerfile path. `-` is a tar (plain or gzip) on stdin, unpacked into a
 * private folder under the root's tmp; `-f` then names a file inside it, as with docker build.
 */
async function contextFolder(parsed: ParsedFlags, io: CliIO, contextArg: string, tmp: string, cleanup: string[]): Promise<ContextInput> {
  const file = parsed.flags.file as string | undefined;
  if (contextArg !== '-') {
    if (file === '-') return { context: resolve(io.cwd, contextArg), dockerfileText: await streamText(io.stdin) };
    return { context: resolve(io.cwd, contextArg), ...(file !== undefined ? { file: resolve(io.cwd, file) } : {}) };
  }
  if (file === '-') throw new UsageError('the context and the Dockerfile cannot both come from stdin');
  const folder = await mkdtemp(join(tmp, 'stdin-context-'));
  cleanup.push(folder);
  const { unpackContextTar } = await import('../../cache/context-tar.js'); // only for a context on stdin
  await unpackContextTar(io.stdin, folder);
  const path = resolve(folder, file ?? 'Dockerfile');
  // The tar is untrusted: the Dockerfile must be a regular file inside it, not a link out.
  const inside = relative(folder, path);
  if (inside.startsWith('..') || isAbsolute(inside) || !(await lstat(path).catch(() => undefined))?.isFile()) {
    throw new TsbuildError('E_CONTEXT', `the context tar has no regular file ${file ?? 'Dockerfile'}`);
  }
  return { context: folder, file: path };
}

interface ContextInput {
  readonly context: string;
  readonly file?: string;
  readonly dockerfileText?: string;
}

/** `--push`, `-o type=registry` and `-o type=image,push=true`: the stored image to its registries. */
async function pushOutputs(layout: RootLayout, parsed: ParsedFlags, io: CliIO, result: BuildResult, say: (line: string) => unknown): Promise<void> {
  const names = pushedNames(result.tags, parsed.flags.push === true, (parsed.flags.output as string[]).map(parseOutputSpec));
  if (names.length === 0) return;
  await pushBuiltImage(await ImageStore.open(layout), result.digest, names, { ...registryOptions(parsed, io), onStatus: say });
}

/** `--cache-max-size` / TSBUILD_CACHE_MAX in bytes: the cache is cut back to it once the image is stored. */
function cacheCapOf(parsed: ParsedFlags, io: CliIO): number | undefined {
  const text = (parsed.flags['cache-max-size'] as string | undefined) ?? io.env.TSBUILD_CACHE_MAX;
  return text === undefined || text === '' ? undefined : parseSizeFlag(text, 'cache-max-size');
}

/** `--secret` values as id → host file; values from the environment go to private temp files. */
async function secretFiles(values: readonly string[], io: CliIO, tmp: string, cleanup: string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const secret of secretsFrom(values, io.cwd)) {
    if (secret.file !== undefined) {
      files[secret.id] = secret.file;
      continue;
    }
    const value = io.env[secret.env!];
    if (value === undefined) throw new UsageError(`secret "${secret.id}": environment variable ${secret.env} is not set`);
    const path = join(tmp, `secret-${process.pid}-${randomUUID()}`);
    cleanup.push(path);
    await writeFile(path, value, { mode: 0o600 });
    files[secret.id] = path;
  }
  return files;
}
