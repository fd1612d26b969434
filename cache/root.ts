// The one folder that holds everything tsbuild keeps, and the names of the folders inside it.
// Resolution is a pure function of its inputs so the CLI, the library and the specs agree on
// where state lives without touching the process environment. Formats are versioned in the
// folder names: a future incompatible format gets a new folder next to the old one instead of
// a migration that a crash could leave half done.
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { TsbuildError } from '../lib/errors.js';
import { removeStaleTempFiles } from './temp-files.js';

export interface RootInputs {
  /** `--root DIR`, or the library's `root` option: wins over everything else. */
  readonly root?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The effective uid (`process.getuid()`); uid 0 uses the system location. */
  readonly uid: number;
  /** The user's home folder (`os.homedir()`). */
  readonly home: string;
  /** Relative `--root`/`TSBUILD_ROOT` values are resolved against this; default `process.cwd()`. */
  readonly cwd?: string;
}

/** The system-wide root used when tsbuild runs as uid 0 and nothing else was asked for. */
export const SYSTEM_ROOT = '/var/lib/tsbuild';

/**
 * `--root`, else `$TSBUILD_ROOT`, else `/var/lib/tsbuild` for uid 0, else
 * `$XDG_DATA_HOME/tsbuild`, else `~/.local/share/tsbuild`. Empty values count as unset, and a
 * relative `XDG_DATA_HOME` is ignored, as the XDG base directory spec requires.
 */
export function resolveRoot(inputs: RootInputs): string {
  const cwd = inputs.cwd ?? process.cwd();
  const explicit = nonEmpty(inputs.root) ?? nonEmpty(inputs.env.TSBUILD_ROOT);
  if (explicit !== undefined) return resolve(cwd, explicit);
  if (inputs.uid === 0) return SYSTEM_ROOT;
  const xdg = nonEmpty(inputs.env.XDG_DATA_HOME);
  if (xdg !== undefined && isAbsolute(xdg)) return join(resolve(xdg), 'tsbuild');
  if (!isAbsolute(inputs.home)) {
    throw new TsbuildError('E_STORE', 'cannot tell where to keep tsbuild data: no home folder; pass --root or set TSBUILD_ROOT');
  }
  return join(resolve(inputs.home), '.local', 'share', 'tsbuild');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Every folder under the root, named once. Other modules take paths from here, never build them. */
export interface RootLayout {
  readonly root: string;
  /** Blobs by digest: `content-v1/sha256/<hex>`. */
  readonly content: string;
  /** Cache records and step pointers. */
  readonly index: string;
  /** Temp files being written; same filesystem as everything else, so renames never cross devices. */
  readonly tmp: string;
  /** Lock files (`gc.lock`, per-key build locks). */
  readonly locks: string;
  /** One lease file per running build, naming the blobs it needs. */
  readonly leases: string;
  readonly snapshots: string;
  readonly images: string;
  readonly containers: string;
  readonly statcache: string;
  /**
   * Step state that outlives builds: RUN cache mounts (and per-run scratch folders). Like
   * BuildKit's cache mounts it is build cache: counted by `du`, removed by `prune --all`.
   */
  readonly state: string;
}

export function rootLayout(root: string): RootLayout {
  if (!isAbsolute(root)) throw new TsbuildError('E_STORE', `the root folder must be an absolute path, got ${JSON.stringify(root)}`);
  return {
    root,
    content: join(root, 'content-v1'),
    index: join(root, 'index-v1'),
    tmp: join(root, 'tmp'),
    locks: join(root, 'locks'),
    leases: join(root, 'leases'),
    snapshots: join(root, 'snapshots-v1'),
    images: join(root, 'images-v1'),
    containers: join(root, 'containers-v1'),
    statcache: join(root, 'statcache-v1'),
    // The folder name older roots already use, so their cache mounts carry over.
    state: join(root, 'state-v1'),
  };
}

/**
 * Creates the root and its folders (idempotent, safe to race). The root is private to its
 * owner (0700): blobs may hold secrets from build contexts.
 */
export async function createRootFolders(layout: RootLayout): Promise<void> {
  try {
    await mkdir(layout.root, { recursive: true, mode: 0o700 });
    const folders = [layout.content, layout.index, layout.tmp, layout.locks, layout.leases, layout.snapshots,
      layout.images, layout.containers, layout.statcache, layout.state];
    await Promise.all(folders.map((folder) => mkdir(folder, { recursive: true, mode: 0o700 })));
  } catch (error) {
    throw new TsbuildError('E_STORE', `cannot create the tsbuild root ${layout.root}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * What every run does first: create the folders, and remove the temp files of writers that
 * are provably dead (a kill -9 or a power cut mid-write). Cheap: one readdir of tmp/ and one
 * /proc read per leftover. Older leftovers of unjudgeable writers wait for prune or verify.
 */
export async function openRoot(layout: RootLayout): Promise<void> {
  await createRootFolders(layout);
  await removeStaleTempFiles(layout.tmp);
}
