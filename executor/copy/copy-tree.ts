// The COPY/ADD file-copy engine: entries of a source tree (the context, a stage, an image or an
// unpacked archive) are written into the rootfs only through InRoot, so the destination and its
// parents are resolved as chroot would (symlinks followed, never leaving the root).
import fs from 'node:fs';
import { posix } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import { type EntryAttrs, InRoot } from '../snapshot/in-root.js';
import { containerOwner, recordsOwners } from '../snapshot/owner-table.js';
import { deviceNumbers, makeDeviceNode, makeHardlink, makeSymlink, removeEntry, setEntryAttrs, writeNewFile } from '../snapshot/in-root.js';
import type { ModeChange } from './chmod.js';
import { listSourceDir, lstatSource, openSourceFile, readSourceLink } from './source-reader.js';
import { cleanSourcePath, ExcludeMatcher, expandWildcard, hasWildcard } from './source-match.js';

export interface CopyOwner {
  readonly uid: number;
  readonly gid: number;
}

export interface CopyOptions {
  /** Owner of everything written; undefined keeps 0:0 (BuildKit never keeps source owners for the context). */
  readonly owner?: CopyOwner;
  /** Without `owner`: copied entries keep their source uid/gid (COPY --from a stage or image, as BuildKit). */
  readonly keepSourceOwners?: boolean;
  readonly chmod?: ModeChange;
  readonly exclude?: readonly string[];
  /** --parents: keep each source's path (below a `/./` pivot if any) under the destination. */
  readonly parents?: boolean;
  /**
   * For a build context: false for a tree path (no leading slash) its .dockerignore excludes.
   * Such entries are not copied, and naming one as a source is "not found", as in BuildKit.
   */
  readonly visible?: (path: string) => boolean;
}

/** An inline file (heredoc source). */
export interface InlineFile {
  readonly name: string;
  /** The content, or `{ hostFile }`: a host file streamed in (a download). */
  readonly data: string | Buffer | { readonly hostFile: string };
  /** Mode before --chmod; 0644 when absent (heredocs). */
  readonly mode?: number;
  readonly mtime?: Date;
}

/** The destination made absolute against WORKDIR; a trailing slash (or `.`) is kept as "a directory". */
export function resolveDest(dest: string, workdir: string | undefined): { path: string; isDir: boolean } {
  const isDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
  const base = workdir === undefined || workdir === '' ? '/' : workdir;
  return { path: posix.normalize(posix.join(dest.startsWith('/') ? '/' : base, dest)), isDir };
}

export class TreeCopier {
  private readonly links = new Map<string, string>();
  private readonly dirTimes: { host: string; attrs: EntryAttrs }[] = [];
  private readonly owners: boolean;
  private readonly parentNames = new Map<string, string>();

  private constructor(
    private readonly root: InRoot,
    private readonly options: CopyOptions,
  ) {
    this.owners = !recordsOwners();
  }

  static async open(rootfs: string, options: CopyOptions): Promise<TreeCopier> {
    return new TreeCopier(await InRoot.open(rootfs), options);
  }

  /** Copies `sources` (paths in `treeDir`, wildcards allowed) to `dest` (absolute in the rootfs). */
  async copySources(treeDir: string, sources: readonly string[], dest: string, destIsDir: boolean): Promise<void> {
    const tree = await InRoot.open(treeDir);
    const matched: { path: string; pivot: string }[] = [];
    for (const source of sources) matched.push(...(await this.matchSource(tree, source)));
    treeDir = tree.root;
    const exclude = new ExcludeMatcher(this.options.exclude ?? []);
    try {
      await this.copyMatched(treeDir, matched, dest, destIsDir, exclude);
    } catch (error) {
      throw sourceRelativeError(error, treeDir);
    }
    await this.finish();
  }

  private async copyMatched(treeDir: string, matched: readonly { path: string; pivot: string }[], dest: string, destIsDir: boolean, exclude: ExcludeMatcher): Promise<void> {
    for (const { path, pivot } of matched) {
      const info = lstatSource(treeDir, path);
      const named = this.parentNames.get(path) ?? path;
      const kept = this.options.parents ? posix.relative(pivot, named) : posix.basename(named);
      if (info.isDirectory()) {
        const target = this.options.parents ? posix.join(dest, kept) : dest;
        await this.copyEntry(treeDir, path, target, exclude, '');
      } else if (!exclude.excludes(posix.basename(path))) {
        // A file onto an existing folder goes into it, slash or not (BuildKit 0.13).
        const into = destIsDir || (await this.isExistingDir(dest));
        await this.copyEntry(treeDir, path, into ? posix.join(dest, kept) : dest, exclude, '');
      }
    }
  }

  /** Writes inline files (heredocs, downloads); `destIsDir` puts each under its name. */
  async writeInline(files: readonly InlineFile[], dest: string, destIsDir: boolean): Promise<void> {
    for (const file of files) {
      const target = destIsDir ? posix.join(dest, file.name) : dest;
      const location = await this.root.entryLocation(target, this.impliedDir);
      await removeEntry(location.host);
      await writeNewFile(location.host, inlineContent(file.data), this.attrs(file.mode ?? 0o644, false, file.mtime), this.owners);
    }
  }

  /** Matches resolved inside the source tree: symlinks followed there, never to the host. */
  private async matchSource(tree: InRoot, source: string): Promise<{ path: string; pivot: string }[]> {
    const pivotAt = source.indexOf('/./');
    const pivot = this.options.parents && pivotAt >= 0 ? cleanSourcePath(source.slice(0, pivotAt)) : '/';
    const clean = cleanSourcePath(source);
    const wildcard = hasWildcard(clean);
    const paths = wildcard ? expandWildcard(tree.root, clean) : [clean];
    const missing = (): TsbuildError => new TsbuildError('E_STEP', `failed to compute cache key: failed to calculate checksum of ref: "${clean}": not found`);
    if (paths.length === 0) return []; // BuildKit 0.13 allows a wildcard that matches nothing
    const resolved: { path: string; pivot: string }[] = [];
    for (const path of paths) {
      const { existing, missing: absent } = await tree.resolve(path, true);
      if (absent.length > 0) throw missing();
      if (!this.isVisible(existing.join('/'))) {
        if (wildcard) continue;
        throw missing();
      }
      // With --parents the written path is the source as named, not where its symlinks lead.
      resolved.push({ path: `/${existing.join('/')}`, pivot: this.options.parents ? pivot : '/' });
      if (this.options.parents) this.parentNames.set(`/${existing.join('/')}`, path);
    }
    return resolved;
  }

  private isVisible(path: string): boolean {
    return path === '' || this.options.visible === undefined || this.options.visible(path);
  }

  private readonly impliedDir = async (): Promise<EntryAttrs> => this.attrs(0o755, true, undefined, true);

  private attrs(mode: number, isDir: boolean, mtime?: Date, implied = false, source?: CopyOwner): EntryAttrs {
    const finalMode = this.options.chmod && !implied ? this.options.chmod(mode, isDir) : mode;
    const owner = this.options.owner ?? (this.options.keepSourceOwners && source ? source : { uid: 0, gid: 0 });
    return { mode: finalMode, uid: owner.uid, gid: owner.gid, ...(mtime ? { mtime } : {}) };
  }

  /** One entry and, for a directory, everything below it (`relative` is for --exclude). */
  private async copyEntry(treeDir: string, path: string, dest: string, exclude: ExcludeMatcher, relative: string): Promise<void> {
    const info = lstatSource(treeDir, path);
    if (info.isDirectory()) {
      await this.copyDir(treeDir, path, dest, exclude, relative, info);
      return;
    }
    const location = await this.root.entryLocation(dest, this.impliedDir);
    const existing = fs.lstatSync(location.host, { throwIfNoEntry: false });
    if (existing?.isDirectory()) throw new TsbuildError('E_STEP', `cannot copy to non-directory: ${dest}: is a directory`);
    await removeEntry(location.host);
    const sourceHost = posix.join(treeDir, path);
    const attrs = this.attrs(info.mode & 0o7777, false, info.mtime, false, await this.sourceOwner(sourceHost, info));
    const identity = `${info.dev}:${info.ino}`;
    const linked = info.nlink > 1 ? this.links.get(identity) : undefined;
    if (linked !== undefined) return makeHardlink(location.host, linked);
    if (info.isSymbolicLink()) await makeSymlink(location.host, readSourceLink(treeDir, path), attrs, this.owners);
    else if (info.isFile()) await writeNewFile(location.host, openSourceFile(treeDir, path, info, SMALL_FILE), attrs, this.owners);
    else await this.copySpecial(location.host, info, attrs);
    if (info.nlink > 1) this.links.set(identity, location.host);
  }

  private async copySpecial(host: string, info: fs.Stats, attrs: EntryAttrs): Promise<void> {
    if (info.isFIFO()) await makeDeviceNode(host, 'fifo');
    else if (info.isCharacterDevice() || info.isBlockDevice()) {
      const { major, minor } = deviceNumbers(BigInt(info.rdev));
      await makeDeviceNode(host, info.isCharacterDevice() ? 'char' : 'block', major, minor);
    } else return; // sockets are skipped, as BuildKit's walker does
    await setEntryAttrs(host, attrs, this.owners);
  }

  private async copyDir(treeDir: string, path: string, dest: string, exclude: ExcludeMatcher, relative: string, info: fs.Stats): Promise<void> {
    const existing = await this.root.resolve(dest, true);
    const location = await this.root.ensureDir(dest, this.impliedDir);
    // The copied folder itself is not copied: a destination it creates is a plain 0755 folder of
    // the --chown owner (neither the source's mode nor --chmod), as BuildKit 0.13 makes it.
    const sourceHost = posix.join(treeDir, path);
    const attrs = relative === '' ? await this.impliedDir() : this.attrs(info.mode & 0o7777, true, info.mtime, false, await this.sourceOwner(sourceHost, info));
    if (existing.missing.length > 0 || relative !== '') this.dirTimes.push({ host: location.host, attrs });
    for (const name of listSourceDir(treeDir, path)) {
      const childRelative = relative === '' ? name : `${relative}/${name}`;
      if (exclude.excludes(childRelative) || !this.isVisible(posix.join(path, name).replace(/^\/+/, ''))) continue;
      await this.copyEntry(treeDir, posix.join(path, name), posix.join(location.components.join('/'), name), exclude, childRelative);
    }
  }

  /** The source's owner as its container sees it (without root the host shows the build user). */
  private async sourceOwner(sourceHost: string, info: fs.Stats): Promise<CopyOwner | undefined> {
    return this.options.keepSourceOwners ? containerOwner(sourceHost, info) : undefined;
  }

  private async isExistingDir(dest: string): Promise<boolean> {
    const { missing } = await this.root.resolve(dest, true);
    if (missing.length > 0) return false;
    const location = await this.root.entryLocation(dest, this.impliedDir);
    return fs.lstatSync(location.host, { throwIfNoEntry: false })?.isDirectory() ?? false;
  }

  /** Directory attributes last (innermost first), so writing children does not change their times. */
  private async finish(): Promise<void> {
    for (const { host, attrs } of this.dirTimes.reverse()) await setEntryAttrs(host, attrs, this.owners);
    this.dirTimes.length = 0;
  }
}

/**
 * Small files are read whole with synchronous calls: a stream costs four trips through libuv's
 * thread pool per file, which made copying a context of many small files latency-bound.
 */
const SMALL_FILE = 1024 * 1024;

function inlineContent(data: InlineFile['data']): AsyncIterable<Buffer> | Iterable<Buffer> {
  if (typeof data === 'string' || Buffer.isBuffer(data)) return [Buffer.from(data)];
  return fs.createReadStream(data.hostFile);
}

/**
 * A system error about a source file names it relative to the source tree: the tree may be the
 * build context, and a path swapped for a symlink mid-copy must not print a host path.
 */
function sourceRelativeError(error: unknown, treeDir: string): unknown {
  const errno = error as NodeJS.ErrnoException;
  if (error instanceof TsbuildError || typeof errno?.code !== 'string' || typeof errno.message !== 'string' || !errno.message.includes(treeDir)) return error;
  const message = errno.message.split(`${treeDir}/`).join('').split(treeDir).join('.');
  return Object.assign(new Error(message, { cause: error }), { code: errno.code, syscall: errno.syscall });
}
