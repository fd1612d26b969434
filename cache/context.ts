// A build context: a folder on disk seen through its .dockerignore, as BuildKit would send it.
// Opening one walks it once and keeps the visible entries in memory; COPY/ADD select from that
// view (cache/context-select.ts), hashing reads contents through it (cache/context-hash.ts).
// Symlinks are entries like any other and are never followed out of the context.
import { realpath, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { TsbuildError } from '../lib/errors.js';
import { openFileInside, readAllLimited, ContextFolder, type OpenContextFile, type SmallFileRead } from './context-disk.js';
import { parentContextPath, toContextPath } from './context-path.js';
import { selectSources, type SelectOptions, type SelectedSource } from './context-select.js';
import { walkVisible, type ContextEntry, type VisibilityRule } from './context-walk.js';
import { PatternMatcher, readIgnoreFile, type IgnoreFileLine, type PathExplanation } from './dockerignore.js';

export type { ContextEntry, EntryType, FileIdentity } from './context-walk.js';
export type { SelectOptions, SelectedSource } from './context-select.js';
export type { OpenContextFile, SmallFileRead } from './context-disk.js';

/** Ignore files and Dockerfiles are small; a huge one is a mistake or an attack. */
const MAX_CONTROL_FILE_BYTES = 16 * 1024 * 1024;

export interface ContextOptions {
  /**
   * The Dockerfile's path (absolute, or relative to the working directory); it may lie outside
   * the context. Only used to find `<name>.dockerignore` beside it. Default: `<context>/Dockerfile`.
   */
  readonly dockerfile?: string;
  /** The Dockerfile comes from stdin: only `<context>/.dockerignore` applies. */
  readonly dockerfileFromStdin?: boolean;
  /** Use these patterns instead of reading any ignore file. */
  readonly ignorePatterns?: readonly string[];
  /** Remove the folder on dispose() (contexts unpacked from a tar into a temp folder). */
  readonly removeOnDispose?: boolean;
}

/** Which ignore file applies, and the ones passed over (a symlink leading out, say). */
export interface IgnoreFileChoice {
  /** The file whose patterns apply; absent when there is none. */
  readonly path?: string;
  /** How errors and explanations name it: `.dockerignore`, `Dockerfile.dockerignore`. */
  readonly name: string;
  readonly patterns: readonly IgnoreFileLine[];
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

/** What `tsbuild context --explain PATH` prints for one path. */
export interface ContextExplanation extends PathExplanation {
  readonly path: string;
  /** e.g. `excluded by ".git" (.dockerignore:2)`, `no pattern matched`. */
  readonly summary: string;
}

export class BuildContext {
  private readonly byPath = new Map<string, ContextEntry>();
  private readonly childNames = new Map<string, string[]>();

  private constructor(
    private readonly folder: ContextFolder,
    readonly ignoreFile: IgnoreFileChoice,
    readonly matcher: PatternMatcher,
    readonly rootEntry: ContextEntry,
    /** Every visible entry, parents first, names in byte order within each folder. */
    readonly entries: readonly ContextEntry[],
    private readonly removeOnDispose: boolean,
  ) {
    for (const entry of entries) {
      this.byPath.set(entry.path, entry);
      const parent = parentContextPath(entry.path);
      const siblings = this.childNames.get(parent) ?? [];
      siblings.push(entry.path.slice(parent === '' ? 0 : parent.length + 1));
      this.childNames.set(parent, siblings);
    }
  }

  /** Opens and walks `dir`. Throws E_NOT_FOUND for a missing folder, E_CONTEXT for bad patterns. */
  static async open(dir: string, options: ContextOptions = {}): Promise<BuildContext> {
    const folder = await ContextFolder.open(dir);
    const ignoreFile = options.ignorePatterns
      ? { name: 'ignore patterns', patterns: options.ignorePatterns.map((pattern, i) => ({ pattern, line: i + 1 })), skipped: [] }
      : await chooseIgnoreFile(folder.root, options);
    const matcher = PatternMatcher.create(ignoreFile.patterns, ignoreFile.name);
    const rules: VisibilityRule[] = matcher.rules.length > 0 ? [{ matcher, keep: 'unmatched' }] : [];
    const walked = await walkVisible(folder, rules);
    const rootEntry = await folder.lstat('');
    const entries = walked.map((item) => item.entry);
    return new BuildContext(folder, ignoreFile, matcher, rootEntry, entries, options.removeOnDispose ?? false);
  }

  /** The context folder's real path. */
  get root(): string {
    return this.folder.root;
  }

  /** A visible entry by context path (`''` is the root). */
  entry(path: string): ContextEntry | undefined {
    return path === '' ? this.rootEntry : this.byPath.get(path);
  }

  /** The visible names inside a directory, in walk order. */
  children(dir: string): readonly string[] {
    return this.childNames.get(dir) ?? [];
  }

  /** Files, folders and symlinks a COPY/ADD source selects; see cache/context-select.ts. */
  select(source: string, options: SelectOptions = {}): Promise<SelectedSource[]> {
    return selectSources(this, source, options);
  }

  /** Which ignore pattern decides a path (relative to the context, or with a leading `/`). */
  explain(path: string): ContextExplanation {
    const contextPath = toContextPath(path);
    const explanation = this.matcher.explain(contextPath);
    const { rule } = explanation;
    if (!rule) return { ...explanation, path: contextPath, summary: 'no pattern matched' };
    const where = rule.line === undefined ? this.ignoreFile.name : `${this.ignoreFile.name}:${rule.line}`;
    const verb = rule.exception ? 'included again by' : 'excluded by';
    const via = explanation.matchedPath === contextPath ? '' : ` (through ${explanation.matchedPath})`;
    return { ...explanation, path: contextPath, summary: `${verb} ${JSON.stringify(rule.source)} (${where})${via}` };
  }

  /** Opens a visible regular file for reading (see ContextFolder.openFile for the checks). */
  openFile(entry: ContextEntry): Promise<OpenContextFile> {
    return this.folder.openFile(entry);
  }

  /** Reads a small visible file whole, synchronously (see ContextFolder.readSmallFile). */
  readSmallFile(entry: ContextEntry): SmallFileRead {
    return this.folder.readSmallFile(entry);
  }

  /**
   * Reads a file of the context whether or not the ignore file hides it: the build may always
   * read its Dockerfile and .dockerignore, though COPY cannot see them when ignored. Symlinks
   * are resolved, but the file must stay inside the context.
   */
  async readUnfiltered(path: string): Promise<Buffer> {
    const contextPath = toContextPath(path);
    const opened = await openFileInside(this.folder.absolute(contextPath), [this.root]);
    if (!('handle' in opened)) {
      const code = opened.problem === 'missing' ? 'E_NOT_FOUND' : 'E_CONTEXT';
      throw new TsbuildError(code, `cannot read ${contextPath} from the build context: ${opened.problem}`);
    }
    try {
      return await readAllLimited(opened.handle, MAX_CONTROL_FILE_BYTES, contextPath);
    } finally {
      await opened.handle.close();
    }
  }

  /** Removes the folder if it was a temporary one (a context unpacked from a tar). */
  async dispose(): Promise<void> {
    if (this.removeOnDispose) await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * `<Dockerfile name>.dockerignore` beside the Dockerfile wins over `<context>/.dockerignore`.
 * The name is the Dockerfile's own name even when it is a symlink (compose#13014). An ignore
 * file that resolves outside its folder (and outside the context) is passed over, not read.
 */
async function chooseIgnoreFile(root: string, options: ContextOptions): Promise<IgnoreFileChoice> {
  const skipped: { path: string; reason: string }[] = [];
  const candidates: { path: string; allowed: string[] }[] = [];
  if (!options.dockerfileFromStdin) {
    const dockerfile = resolve(options.dockerfile ?? join(root, 'Dockerfile'));
    const beside = join(dirname(dockerfile), basename(dockerfile) + '.dockerignore');
    candidates.push({ path: beside, allowed: [root, dirname(beside)] });
  }
  candidates.push({ path: join(root, '.dockerignore'), allowed: [root] });
  for (const candidate of candidates) {
    const opened = await openFileInside(candidate.path, await realFolders(candidate.allowed));
    if (!('handle' in opened)) {
      if (opened.problem !== 'missing') skipped.push({ path: candidate.path, reason: explainProblem(opened.problem) });
      continue;
    }
    try {
      const content = await readAllLimited(opened.handle, MAX_CONTROL_FILE_BYTES, candidate.path);
      return { path: candidate.path, name: basename(candidate.path), patterns: readIgnoreFile(content), skipped };
    } finally {
      await opened.handle.close();
    }
  }
  return { name: '.dockerignore', patterns: [], skipped };
}

function explainProblem(problem: 'outside' | 'not a regular file'): string {
  return problem === 'outside' ? 'it resolves outside the build context' : 'it is not a regular file';
}

async function realFolders(folders: readonly string[]): Promise<string[]> {
  return Promise.all(folders.map((folder) => realpath(folder).catch(() => folder)));
}
