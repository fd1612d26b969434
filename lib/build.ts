// The public build(): Dockerfile + context folder → an image in the local store.
//   open the root → read and parse the Dockerfile → plan (target, build args) → open the context
//   → run the plan (executor/scheduler.ts) → write config + manifest, tag → report.
// Every blob the build touches is named in one lease for the build's lifetime, so a concurrent
// prune keeps them; the lease, the context and every step's mounts are released on every path.
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ContentStore } from '../cache/content-store.js';
import { BuildContext } from '../cache/context.js';
import { KeyIndex } from '../cache/key-index.js';
import { Lease } from '../cache/lease.js';
import { StatCache } from '../cache/stat-cache.js';
import { openRoot, resolveRoot, rootLayout, type RootLayout } from '../cache/root.js';
import type { Sandbox, NetworkMode } from '../executor/sandbox/types.js';
import { NamespaceSandbox } from '../executor/sandbox/namespace-sandbox.js';
import { runPlan, type BuildEventListener, type SchedulerOptions, type SchedulerResult } from '../executor/scheduler.js';
import { ContextDigests } from '../executor/scheduler-inputs.js';
import { SnapshotStore } from '../executor/snapshot-store.js';
import { planBuild, type BuildPlan } from '../parser/plan.js';
import { parseDockerfile, type ParsedDockerfile } from '../parser/stages.js';
import type { BuildWarning } from '../parser/warnings.js';
import { commitBuild } from './build-commit.js';
import { StoreImageSource } from './build-images.js';
import { TsbuildError, UsageError } from './errors.js';
import { sourceDateEpoch } from './image/timestamps.js';
import { hostPlatform, requireHostPlatform } from './platform.js';
import { ImageStore } from './store/image-store.js';

export type { BuildEvent, BuildEventListener } from '../executor/scheduler.js';

export interface BuildOptions {
  /** The build context folder. */
  readonly context: string;
  /** The Dockerfile's path (relative to the working directory); default `<context>/Dockerfile`. */
  readonly dockerfile?: string;
  /** The Dockerfile's text, instead of reading a file. */
  readonly dockerfileText?: string;
  /** The tsbuild root; default as cache/root.ts resolves it (`$TSBUILD_ROOT`, …). */
  readonly root?: string;
  readonly tags?: readonly string[];
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly noCache?: boolean;
  /** Stages (by name) whose steps run without the cache, as `--no-cache-filter`. */
  readonly noCacheFilter?: readonly string[];
  /** Put on each cache miss's `started` event what changed since the step's last build. */
  readonly explainCache?: boolean;
  readonly network?: NetworkMode;
  /** Secrets for `RUN --mount=type=secret`: id → host file. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** SSH agents for `RUN --mount=type=ssh`: id (`default`, …) → host agent socket path. */
  readonly ssh?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onEvent?: BuildEventListener;
  /** Told about damaged cache records (treated as misses) and layer entries that were skipped. */
  readonly onWarning?: (message: string) => void;
  /** The image's creation time; default SOURCE_DATE_EPOCH (build arg or environment), else none. */
  readonly created?: Date;
  /** How step rootfs are made: overlayfs, the copy fallback, or overlay when it mounts (default). */
  readonly rootfsMode?: 'auto' | 'overlay' | 'copy';
  /** Replaces the namespace sandbox (specs, other backends). */
  readonly sandbox?: Sandbox;
  /**
   * Bytes a RUN step may consume on the disk that holds the root; past it the step is stopped and
   * fails. Without it only the free-space reserve applies (5% of that disk, at most 2 GiB).
   */
  readonly runDiskQuota?: number;
}

export interface BuiltStage {
  readonly index: number;
  readonly name?: string;
  /** The stage's final cache key. */
  readonly key: string;
}

export interface BuildResult {
  /** The image ID (config digest). */
  readonly imageId: string;
  /** The manifest digest. */
  readonly digest: string;
  /** Full tag names the image got. */
  readonly tags: readonly string[];
  readonly stages: readonly BuiltStage[];
  readonly cache: { readonly hits: number; readonly misses: number };
  /** Parser, plan and dispatch findings. */
  readonly warnings: readonly BuildWarning[];
}

interface Dockerfile {
  readonly name: string;
  readonly path?: string;
  readonly text: string;
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  if (typeof options.context !== 'string' || options.context === '') throw new UsageError('build: the context folder is required');
  const layout = rootLayout(resolveRoot({ root: options.root, env: process.env, uid: process.getuid?.() ?? 1000, home: homedir() }));
  await openRoot(layout);
  const dockerfile = await readDockerfile(options);
  const parsed = parseDockerfile(dockerfile.text, { file: dockerfile.name });
  const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
  const platform = hostPlatform();
  const plan = planBuild(parsed, { buildArgs, platform, file: dockerfile.name, ...(options.target ? { target: options.target } : {}) });
  for (const planned of plan.stages) if (planned.platform) requireHostPlatform(planned.platform, platform);
  const store = await ImageStore.open(layout);
  const lease = await Lease.create(layout, options.signal ? { signal: options.signal } : {});
  let context: BuildContext | undefined;
  try {
    context = await BuildContext.open(resolve(options.context), dockerfile.path ? { dockerfile: dockerfile.path } : {});
    const result = await runBuildPlan(layout, store, lease, context, { options, parsed, plan, dockerfile, buildArgs, platform });
    const created = options.created ?? sourceDateEpoch({ SOURCE_DATE_EPOCH: buildArgs.get('SOURCE_DATE_EPOCH') ?? process.env.SOURCE_DATE_EPOCH });
    const image = await commitBuild(store, result.target, { tags: options.tags ?? [], lease, ...(created ? { created } : {}) });
    return report(image, plan, result, parsed);
  } finally {
    await context?.dispose().catch(() => undefined);
    await lease.release();
  }
}

interface PlannedBuild {
  readonly options: BuildOptions;
  readonly parsed: ParsedDockerfile;
  readonly plan: BuildPlan;
  readonly dockerfile: Dockerfile;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly platform: ReturnType<typeof hostPlatform>;
}

async function runBuildPlan(layout: RootLayout, store: ImageStore, lease: Lease, context: BuildContext, planned: PlannedBuild): Promise<SchedulerResult> {
  const { options } = planned;
  const content = await ContentStore.open(layout);
  // The stat cache only lets unchanged files skip a re-read; the digests decide hits.
  const statCache = await StatCache.load(layout, context.root);
  await mkdir(stateDirOf(layout), { recursive: true, mode: 0o700 });
  const digests = new ContextDigests(context, { statCache });
  const warn = (message: string): void => options.onWarning?.(message);
  try {
    return await runPlan(schedulerOptions(layout, store, lease, context, planned, { content, digests, warn }));
  } finally {
    statCache.retainOnly(new Set(context.entries.map((entry) => entry.path)));
    await statCache.save().catch((error: unknown) => warn(`could not save the context stat cache: ${(error as Error).message}`));
  }
}

interface SchedulerParts {
  readonly content: ContentStore;
  readonly digests: ContextDigests;
  readonly warn: (message: string) => void;
}

function schedulerOptions(layout: RootLayout, store: ImageStore, lease: Lease, context: BuildContext, planned: PlannedBuild, parts: SchedulerParts): SchedulerOptions {
  const { options } = planned;
  const { content, digests, warn } = parts;
  return {
    plan: planned.plan,
    escapeToken: planned.parsed.escapeToken,
    platform: planned.platform,
    images: new StoreImageSource(store),
    snapshots: new SnapshotStore(layout, content, { lease, onWarning: warn, ...(options.rootfsMode ? { rootfsMode: options.rootfsMode } : {}) }),
    index: new KeyIndex(layout, { onWarning: warn }),
    content,
    contextDir: context.root,
    contextDigest: (input) => digests.digest(input),
    sandbox: options.sandbox ?? new NamespaceSandbox(options.runDiskQuota === undefined ? {} : { disk: { diskBytes: options.runDiskQuota } }),
    stateDir: stateDirOf(layout),
    // COPY/ADD select from the opened context (its .dockerignore applied), not the bare folder.
    stepExtras: { buildContext: context, sshAgents: new Map(Object.entries(options.ssh ?? {})) },
    buildArgs: planned.buildArgs,
    secrets: new Map(Object.entries(options.secrets ?? {})),
    file: planned.dockerfile.name,
    sourceText: planned.dockerfile.text,
    ...(options.network ? { network: options.network } : {}),
    ...(options.noCache ? { noCache: true } : {}),
    ...(options.noCacheFilter ? { noCacheFilter: options.noCacheFilter } : {}),
    ...(options.explainCache ? { explainMisses: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
}

/** Persistent step state (RUN cache mounts); not a RootLayout folder yet. */
function stateDirOf(layout: RootLayout): string {
  return join(layout.root, 'state-v1');
}

async function readDockerfile(options: BuildOptions): Promise<Dockerfile> {
  if (options.dockerfileText !== undefined) {
    return { name: options.dockerfile ? basename(options.dockerfile) : 'Dockerfile', text: options.dockerfileText };
  }
  const path = options.dockerfile ? resolve(options.dockerfile) : join(resolve(options.context), 'Dockerfile');
  try {
    return { name: basename(path), path, text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TsbuildError('E_NOT_FOUND', `cannot read the Dockerfile: ${path} does not exist`, { cause: error });
    throw new TsbuildError('E_CONTEXT', `cannot read the Dockerfile ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function report(image: { id: string; manifestDigest: string; tags: readonly { name: string }[] }, plan: BuildPlan, result: SchedulerResult, parsed: ParsedDockerfile): BuildResult {
  const stages = plan.stages.map(({ stage }) => ({
    index: stage.index,
    ...(stage.name !== undefined ? { name: stage.name } : {}),
    key: result.stages.get(stage.index)?.key ?? '',
  }));
  return {
    imageId: image.id,
    digest: image.manifestDigest,
    tags: image.tags.map((tag) => tag.name),
    stages,
    cache: result.cache,
    warnings: [...parsed.warnings, ...plan.warnings, ...result.warnings],
  };
}
