// Writes untrusted entries (from a context tar) into a private folder, never outside it.
// The rules are those the security review asks for (SECURITY.md lessons 1-3, node-tar's CVEs):
// - names: leading `/` stripped (absolute names are legitimate in Docker tars), then cleaned;
//   a name that still climbs out (`..`) is rejected, as moby's go-archive does;
// - parents must be real directories: a symlink (or file) met on the way is an error, so a
//   `link -> /etc` entry followed by `link/passwd` cannot write through it;
// - an existing entry is removed before a new one is created with O_EXCL|O_NOFOLLOW, so a file
//   entry never writes through a symlink of the same name;
// - symlink targets are data, written verbatim and never resolved;
// - hard links must name an existing non-directory inside the folder, reached the same way.
// Verified parents are cached, and the cache is cut back whenever something is replaced
// (node-tar CVE-2021-32803 came from a stale cache of that kind). The folder must be private
// (mkdtemp, 0700): nothing else may change it while we write.
import { constants } from 'node:fs';
import { chmod, lchown, link, lstat, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from '../lib/errors.js';
import { cleanPath } from './context-path.js';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface WriterLimits {
  /** Most bytes of file content accepted in total. */
  readonly maxBytes: number;
  /** Deepest path accepted (node-tar's default is 1024). */
  readonly maxDepth: number;
}

export interface EntryMetadata {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime?: Date;
}

export class SafeTreeWriter {
  private readonly verifiedDirs = new Set<string>(['']);
  private readonly dirMetadata = new Map<string, EntryMetadata>();
  private bytesWritten = 0;
  private readonly canChown = process.getuid?.() === 0;

  constructor(readonly root: string, private readonly limits: WriterLimits) {}

  /** The in-folder path for an entry name; throws E_CONTEXT for names that climb out. */
  safeName(name: string): string {
    const cleaned = cleanPath(name.replace(/^\/+/, ''));
    if (cleaned === '..' || cleaned.startsWith('../')) throw unsafe(name, 'it climbs out of the context');
    if (cleaned === '.') return '';
    if (cleaned.split('/').length > this.limits.maxDepth) throw unsafe(name, 'it is nested too deeply');
    return cleaned;
  }

  async directory(path: string, meta: EntryMetadata): Promise<void> {
    if (path !== '') {
      await this.parents(path);
      const existing = await lstatOrUndefined(this.absolute(path));
      if (existing && !existing.isDirectory()) await this.remove(path);
      if (!existing?.isDirectory()) await mkdir(this.absolute(path), { mode: 0o700 });
      this.verifiedDirs.add(path);
    }
    // Modes are applied at the end: a read-only folder must not stop later entries inside it.
    this.dirMetadata.set(path, meta);
  }

  async file(path: string, meta: EntryMetadata, size: number, content: AsyncIterable<Uint8Array>): Promise<void> {
    this.countBytes(size);
    await this.replaceable(path);
    const handle = await open(this.absolute(path), CREATE_FLAGS, 0o600);
    try {
      for await (const chunk of content) await handle.write(chunk);
      // Through the descriptor: the metadata lands on the file we created, whatever the name.
      if (this.canChown) await handle.chown(meta.uid, meta.gid);
      await handle.chmod(meta.mode & 0o7777);
      if (meta.mtime) await handle.utimes(meta.mtime, meta.mtime);
    } finally {
      await handle.close();
    }
  }

  async symlink(path: string, target: string, meta: EntryMetadata): Promise<void> {
    await this.replaceable(path);
    await symlink(target, this.absolute(path));
    if (this.canChown) await lchown(this.absolute(path), meta.uid, meta.gid);
  }

  async hardlink(path: string, targetName: string): Promise<void> {
    const target = this.safeName(targetName);
    await this.parents(target);
    const existing = target === '' ? undefined : await lstatOrUndefined(this.absolute(target));
    if (!existing || existing.isDirectory()) throw unsafe(targetName, 'a hard link must name an earlier file of the tar');
    if (target === path) return;
    await this.replaceable(path);
    await link(this.absolute(target), this.absolute(path));
  }

  /**
   * Applies folder modes, owners and times, deepest first, once everything is written. The
   * root keeps its private mode: opening it up would let other users reach into the folders
   * of the context while the build reads it.
   */
  async finish(): Promise<void> {
    const folders = [...this.dirMetadata.keys()].filter((dir) => dir !== '').sort((a, b) => b.length - a.length);
    for (const folder of folders) await this.applyMetadata(folder, this.dirMetadata.get(folder)!);
  }

  private countBytes(size: number): void {
    this.bytesWritten += size;
    if (this.bytesWritten > this.limits.maxBytes) {
      throw new TsbuildError('E_CONTEXT', `the context tar holds more than ${this.limits.maxBytes} bytes`);
    }
  }

  private absolute(path: string): string {
    return path === '' ? this.root : join(this.root, path);
  }

  /** Ensures the parents of `path` exist as real directories, creating missing ones. */
  private async parents(path: string): Promise<void> {
    const elements = path.split('/');
    for (let n = 1; n < elements.length; n++) {
      const parent = elements.slice(0, n).join('/');
      if (this.verifiedDirs.has(parent)) continue;
      const existing = await lstatOrUndefined(this.absolute(parent));
      if (existing?.isSymbolicLink()) throw unsafe(path, `${parent} is a symlink, and nothing is written through one`);
      if (existing && !existing.isDirectory()) throw unsafe(path, `${parent} is not a directory`);
      if (!existing) await mkdir(this.absolute(parent), { mode: 0o755 });
      this.verifiedDirs.add(parent);
    }
  }

  /** Makes `path` free for a new entry: parents checked, anything already there removed. */
  private async replaceable(path: string): Promise<void> {
    if (path === '') throw unsafe('.', 'the context root can only be a directory');
    await this.parents(path);
    if (await lstatOrUndefined(this.absolute(path))) await this.remove(path);
  }

  private async remove(path: string): Promise<void> {
    await rm(this.absolute(path), { recursive: true, force: true });
    for (const dir of [...this.verifiedDirs]) {
      if (dir === path || dir.startsWith(path + '/')) this.verifiedDirs.delete(dir);
    }
    for (const dir of [...this.dirMetadata.keys()]) {
      if (dir === path || dir.startsWith(path + '/')) this.dirMetadata.delete(dir);
    }
  }

  private async applyMetadata(path: string, meta: EntryMetadata): Promise<void> {
    const absolute = this.absolute(path);
    if (this.canChown) await lchown(absolute, meta.uid, meta.gid);
    await chmod(absolute, meta.mode & 0o7777);
    if (meta.mtime) await utimes(absolute, meta.mtime, meta.mtime);
  }
}

function unsafe(name: string, reason: string): TsbuildError {
  return new TsbuildError('E_CONTEXT', `refusing context tar entry ${JSON.stringify(name)}: ${reason}`);
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}
