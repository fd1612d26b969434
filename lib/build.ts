// The public build(): Dockerfile + context folder → an image in the local store.
//   open the root → read and parse the Dockerfile → plan (target, build args) → open the context
//   → run the plan (executor/scheduler.ts) → write config + manifest, tag → report.
// Every blob the build touches is named in one lease for the build's lifetime, so a concurrent
// prune keeps them; the lease, the context and every step's mounts are released on every path.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ContentStore } from '../cache/content-store.js';
import { BuildContext } from '../cache/context.js';
import { KeyIndex } from '../cache/key-index.js';
import { Lease } from '../cache/lease.js';
import { StatCache } from '../cache/stat-cache.js';
import { openRoot, resolveRoot, rootLayout, type RootLayout } from '../cache/root.js';
import type { Sandbox, NetworkMode } from '../executor/sandbox/types.js';
import { DefaultSandbox } from '../executor/sandbox/default-sandbox.js';
import { runPlan, type BuildEventListener, type SchedulerOptions, type SchedulerResult } from '../executor/scheduler.js';
import { ContextDigests } from '../executor/scheduler-inputs.js';
import { SnapshotStore } from '../executor/snapshot-store.js';
import { planBuild, type BuildPlan } from '../parser/plan.js';
import { parseDockerfile, type ParsedDockerfile } from '../parser/stages.js';
import type { BuildWarning } from '../parser/warnings.js';
import { followSignal } from './abort-signal.js';
import { resolveAddHosts, type AddHost } from './add-host.js';
import { commitBuild } from './build-commit.js';
import type { ImportedCaches } from './build-cache/cache-import.js';
import type { CacheExportSpec, CacheImportSpec } from './build-cache/cache-spec.js';
import { StoreImageSource, type PullPolicy } from './build-images.js';
import { classifyNamedContexts, contextTreesOf, openNamedFolders } from './named-contexts.js';
import { TsbuildError, UsageError } from './errors.js';
import { sourceDateEpoch } from './image/timestamps.js';
import { hostPlatform, requireHostPlatform } from './platform.js';
import type { Registry, RegistryOptions } from './registry/client.js';
import { ImageStore } from './store/image-store.js';
import type { TransferListener } from './transfer-progress.js';

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
  /**
   * Extra /etc/hosts entries of RUN steps (`--add-host`); an `ip` of `host-gateway` is the host's
   * address. Like BuildKit, they do not enter cache keys.
   */
  readonly addHosts?: readonly AddHost[];
  /**
   * `--build-context`: name → a folder (relative to the working directory) or `docker-image://REF`.
   * The name replaces a stage or image of that name in FROM, COPY --from and RUN --mount from=;
   * a folder cannot be a FROM base yet.
   */
  readonly buildContexts?: Readonly<Record<string, string>>;
  /** Secrets for `RUN --mount=type=secret`: id → host file. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** SSH agents for `RUN --mount=type=ssh`: id (`default`, …) → host agent socket path. */
  readonly ssh?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onEvent?: BuildEventListener;
  /** Told about damaged cache records (treated as misses) and layer entries that were skipped. */
  readonly onWarning?: (message: string) => void;
  /**
   * SOURCE_DATE_EPOCH in seconds: the image's creation time and history times, and the newest mtime
   * in the layers the build writes. Default: the SOURCE_DATE_EPOCH build arg; without either, layer
   * times are 0 (1970-01-01) and the image has no creation time, so the same inputs give the same
   * image. The process environment is not read (the CLI passes its SOURCE_DATE_EPOCH here).
   */
  readonly sourceDateEpoch?: number;
  /** Layers keep the mtimes files had when each step ended (BuildKit's default): images then differ from build to build. */
  readonly keepFileTimes?: boolean;
  /** The image's creation time; default the SOURCE_DATE_EPOCH instant, else none. */
  readonly created?: Date;
  /** Labels set on the image config over those from LABEL, with no history entry (`--label`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** How step rootfs are made: overlayfs, the copy fallback, or overlay when it mounts (default). */
  readonly rootfsMode?: 'auto' | 'overlay' | 'copy';
  /** Replaces the namespace sandbox (specs, other backends). */
  readonly sandbox?: Sandbox;
  /** Base images: pull those missing from the store (default), pull all again (`--pull`), or never pull. */
  readonly pull?: PullPolicy;
  /** Registry client settings for pulls and registry caches (extra CAs, insecure registries, env for credentials). */
  readonly registry?: RegistryOptions;
  /** Caches (`--cache-from`) whose records a local cache miss consults, first match wins. */
  readonly cacheFrom?: readonly CacheImportSpec[];
  /** Where the build's cache records and layers are exported once the image is stored (`--cache-to`). */
  readonly cacheTo?: readonly CacheExportSpec[];
  /** Progress lines that are not steps: `pulling REF`, cache import and export. */
  readonly onStatus?: (line: string) => void;
  /** Bytes received per layer blob of a base image pull, for progress bars. */
  readonly onTransfer?: TransferListener;
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
  // The caller's signal is followed through its sources (see abort-signal.ts for the Node 20 bug).
  const followed = followSignal(options.signal);
  try {
    return await buildImage(options.signal ? { ...options, signal: followed.signal } : options);
  } finally {
    followed.dispose();
  }
}

async function buildImage(options: BuildOptions): Promise<BuildResult> {
  if (typeof options.context !== 'string' || options.context === '') throw new UsageError('build: the context folder is required');
  const layout = rootLayout(resolveRoot({ root: options.root, env: process.env, uid: process.getuid?.() ?? 1000, home: homedir() }));
  await openRoot(layout);
  const dockerfile = await readDockerfile(options);
  const parsed = parseDockerfile(dockerfile.text, { file: dockerfile.name });
  const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
  const platform = hostPlatform();
  const named = classifyNamedContexts(options.buildContexts ?? {}, process.cwd());
  const plan = planBuild(parsed, { buildArgs, platform, file: dockerfile.name, namedContexts: named.plan, ...(options.target ? { target: options.target } : {}) });
  for (const planned of plan.stages) if (planned.platform) requireHostPlatform(planned.platform, platform);
  const store = await ImageStore.open(layout);
  const lease = await Lease.create(layout, options.signal ? { signal: options.signal } : {});
  let context: BuildContext | undefined;
  let namedFolders = new Map<string, BuildContext>();
  try {
    // The lease now says a build runs; a prune that started before it is waited out, since it
    // may be removing step state (RUN cache mounts) that this build's steps would use.
    await lease.protect([]);
    const registry = lazyRegistry(options.registry ?? {});
    // The cache transfer code (and the registry client it needs) loads only for builds that use a cache.
    const caches = options.cacheFrom?.length || options.cacheTo?.length ? await import('./build-cache/build-caches.js') : undefined;
    const imported = await caches?.openImportedCaches(layout, store.content, lease, await registry(), options);
    context = await BuildContext.open(resolve(options.context), dockerfile.path ? { dockerfile: dockerfile.path } : {});
    if (options.sourceDateEpoch !== undefined && !(Number.isSafeInteger(options.sourceDateEpoch) && options.sourceDateEpoch >= 0)) {
      throw new UsageError(`build: sourceDateEpoch must be a whole number of seconds since 1970, not ${options.sourceDateEpoch}`);
    }
    const epoch = options.sourceDateEpoch ?? epochSeconds(sourceDateEpoch({ SOURCE_DATE_EPOCH: buildArgs.get('SOURCE_DATE_EPOCH') }));
    const layerEpoch = options.keepFileTimes ? null : (epoch ?? 0);
    namedFolders = await openNamedFolders(named.folders);
    const result = await runBuildPlan(layout, store, lease, context, { options, parsed, plan, dockerfile, buildArgs, platform, registry, layerEpoch, namedFolders, ...(imported ? { imported } : {}) });
    await imported?.materialize(result.target.layers, options.signal);
    const created = options.created ?? (epoch === undefined ? undefined : new Date(epoch * 1000));
    const image = await commitBuild(store, result.target, { tags: options.tags ?? [], lease, ...(created ? { created } : {}), ...(options.labels ? { labels: options.labels } : {}) });
    if (caches) await caches.exportBuildCaches(store, plan, result.used, { registry: await registry(), ...(imported ? { imported } : {}) }, options);
    return report(image, plan, result, parsed);
  } finally {
    await context?.dispose().catch(() => undefined);
    await Promise.all([...namedFolders.values()].map((folder) => folder.dispose().catch(() => undefined)));
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
  readonly registry: () => Promise<Registry>;
  readonly imported?: ImportedCaches;
  /** What layer mtimes are clamped to (seconds), or null to keep them. */
  readonly layerEpoch: number | null;
  /** `--build-context` folders, opened. */
  readonly namedFolders: ReadonlyMap<string, BuildContext>;
}

async function runBuildPlan(layout: RootLayout, store: ImageStore, lease: Lease, context: BuildContext, planned: PlannedBuild): Promise<SchedulerResult> {
  const { options } = planned;
  const content = await ContentStore.open(layout);
  // The stat cache only lets unchanged files skip a re-read; the digests decide hits.
  const statCache = await StatCache.load(layout, context.root);
  const digests = new ContextDigests(context, { statCache }, planned.namedFolders);
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
    images: new StoreImageSource(store, {
      policy: options.pull ?? 'missing',
      registry: planned.registry,
      platform: planned.platform,
      ...(options.onStatus ? { onStatus: options.onStatus } : {}),
      ...(options.onTransfer ? { onTransfer: options.onTransfer } : {}),
    }),
    ...(planned.imported ? { imported: planned.imported } : {}),
    snapshots: new SnapshotStore(layout, content, { lease, onWarning: warn, layerEpoch: planned.layerEpoch, ...(options.rootfsMode ? { rootfsMode: options.rootfsMode } : {}) }),
    index: new KeyIndex(layout, { onWarning: warn }),
    content,
    contextDir: context.root,
    contextDigest: (input) => digests.digest(input),
    contextFiles: (input) => digests.files(input),
    sandbox: options.sandbox ?? new DefaultSandbox(options.runDiskQuota === undefined ? {} : { disk: { diskBytes: options.runDiskQuota } }),
    stateDir: layout.state,
    // COPY/ADD select from the opened context (its .dockerignore applied), not the bare folder.
    stepExtras: { buildContext: context, contextTrees: contextTreesOf(context, planned.namedFolders), sshAgents: new Map(Object.entries(options.ssh ?? {})) },
    buildArgs: planned.buildArgs,
    secrets: new Map(Object.entries(options.secrets ?? {})),
    file: planned.dockerfile.name,
    sourceText: planned.dockerfile.text,
    ...(options.network ? { network: options.network } : {}),
    ...(options.addHosts?.length ? { extraHosts: resolveAddHosts(options.addHosts) } : {}),
    ...(options.noCache ? { noCache: true } : {}),
    ...(options.noCacheFilter ? { noCacheFilter: options.noCacheFilter } : {}),
    ...(options.explainCache ? { explainMisses: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
}

/**
 * The build's one registry client (its tokens serve pulls and caches alike), made on first use: a
 * build from local images without caches never loads the registry code.
 */
function lazyRegistry(options: RegistryOptions): () => Promise<Registry> {
  let client: Promise<Registry> | undefined;
  return () => (client ??= import('./registry/client.js').then(({ Registry }) => new Registry(options)));
}

function epochSeconds(instant: Date | undefined): number | undefined {
  return instant === undefined ? undefined : instant.getTime() / 1000;
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
