// Per-file fingerprints of what a COPY/ADD selected from the context, kept beside a cache record
// but outside its key, so that a later miss can say which files changed, were added or removed
// (the key only holds the selection's digest, which says that something changed, not what).
//
// A list is bounded: when a selection has more than FILE_LIST_LIMIT entries, the folders at the
// deepest level that still fits stand for everything below them (their tree digest), so a
// 20,000-file context still names `pkg-7/src/…`. A later selection is compared with a list by
// first folding it the same way (projectFileList), so lists of different depths never disagree.
// Fingerprints are the first 16 hex digits of the entry digests: they only explain a miss and
// never decide a hit, so a collision could at worst leave one name out of an explanation.
import type { Json } from './cache-key.js';
import { entryDigest, type ContextHasher } from './context-hash.js';
import { compareNames, joinContextPath, parentContextPath } from './context-path.js';
import type { SelectedSource } from './context-select.js';

/** Entries (files and folders) a stored list holds at most. */
export const FILE_LIST_LIMIT = 5000;

/** Names an explanation shows before "and N more". */
export const SHOWN_NAMES = 5;

export interface SelectedEntry {
  /** Context path (`''` is the context root). */
  readonly path: string;
  /** Depth below the selected source it came from (the source itself is 0). */
  readonly depth: number;
  readonly dir: boolean;
  /** Fingerprint of the entry alone: for a folder its own type, mode and owner, not its children. */
  readonly own: string;
  /** Fingerprint of the entry and everything below it. */
  readonly tree: string;
}

export interface FileList {
  /** Fingerprints by context path; a folder's own one under `path/` (`./` for the root). */
  readonly entries: Readonly<Record<string, string>>;
  /** Folders standing for everything below them: tree fingerprints by context path. */
  readonly folders: Readonly<Record<string, string>>;
  /** Set when the sources alone exceed the limit: then nothing is listed. */
  readonly omitted?: number;
}

export interface FileChanges {
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Every entry of the selected sources with its fingerprints (contents come from the hasher's memo). */
export async function selectedEntries(hasher: ContextHasher, selected: readonly SelectedSource[]): Promise<SelectedEntry[]> {
  const entries: SelectedEntry[] = [];
  for (const source of selected) {
    await hasher.digestSource(source, (path, entry, digest) => {
      const dir = entry.type === 'dir';
      const tree = fingerprint(digest);
      const own = dir ? fingerprint(entryDigest(entry, undefined, [])) : tree;
      entries.push({ path: joinContextPath(source.resolved, path), depth: depthOf(path), dir, own, tree });
    });
  }
  return entries;
}

/** The list to store: every entry, or down to the deepest level that keeps it within `limit`. */
export function boundedFileList(entries: readonly SelectedEntry[], limit = FILE_LIST_LIMIT): FileList {
  const perDepth: number[] = [];
  for (const entry of entries) perDepth[entry.depth] = (perDepth[entry.depth] ?? 0) + 1;
  if (entries.length <= limit) return listDownTo(entries, Infinity);
  let total = 0;
  let depth = -1;
  for (const [level, count] of perDepth.entries()) {
    total += count ?? 0;
    if (total > limit) break;
    depth = level;
  }
  return depth < 0 ? { entries: {}, folders: {}, omitted: entries.length } : listDownTo(entries, depth);
}

/** `entries` folded the way `like` is: below each of its folders, only the folder's tree counts. */
export function projectFileList(entries: readonly SelectedEntry[], like: FileList): FileList {
  const summarized = new Set(Object.keys(like.folders));
  const list = { entries: {} as Record<string, string>, folders: {} as Record<string, string> };
  for (const entry of entries) {
    if (summarized.size > 0 && insideSummarized(entry.path, summarized)) continue;
    if (entry.dir && summarized.has(entry.path)) list.folders[entry.path] = entry.tree;
    else list.entries[entryKey(entry)] = entry.own;
  }
  return list;
}

/** What differs between two lists of the same shape, as display names sorted by path. */
export function diffFileLists(before: FileList, after: FileList): FileChanges {
  const changes = { changed: [] as string[], added: [] as string[], removed: [] as string[] };
  const compare = (old: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>, name: (key: string) => string): void => {
    for (const key of Object.keys(old)) {
      if (!Object.hasOwn(now, key)) changes.removed.push(name(key));
      else if (old[key] !== now[key]) changes.changed.push(name(key));
    }
    for (const key of Object.keys(now)) if (!Object.hasOwn(old, key)) changes.added.push(name(key));
  };
  compare(before.entries, after.entries, (key) => key);
  compare(before.folders, after.folders, folderName);
  for (const names of Object.values(changes)) names.sort(compareNames);
  return changes;
}

/** `a.txt changed, new.txt added, old.txt removed, and 3 more`; undefined when nothing differs. */
export function describeFileChanges(changes: FileChanges, shown = SHOWN_NAMES): string | undefined {
  const named = [
    ...changes.changed.map((name) => `${name} changed`),
    ...changes.added.map((name) => `${name} added`),
    ...changes.removed.map((name) => `${name} removed`),
  ];
  if (named.length === 0) return undefined;
  const head = named.slice(0, shown).join(', ');
  return named.length > shown ? `${head}, and ${named.length - shown} more` : head;
}

/** What changed between a stored list and the current selection, or undefined if it cannot tell. */
export function explainSelectionChange(before: FileList, current: readonly SelectedEntry[]): string | undefined {
  if (before.omitted !== undefined) return undefined;
  return describeFileChanges(diffFileLists(before, projectFileList(current, before)));
}

export function fileListJson(list: FileList): Json {
  return { entries: { ...list.entries }, folders: { ...list.folders }, ...(list.omitted !== undefined ? { omitted: list.omitted } : {}) };
}

/** A stored list, or undefined when the value is not one (an older or damaged file). */
export function parseFileList(value: Json | undefined): FileList | undefined {
  if (!isStringMap(value)) return undefined;
  const { entries, folders, omitted } = value as { entries?: Json; folders?: Json; omitted?: Json };
  if (!isStringMap(entries, true) || !isStringMap(folders, true)) return undefined;
  if (omitted !== undefined && typeof omitted !== 'number') return undefined;
  return { entries, folders, ...(omitted !== undefined ? { omitted } : {}) } as FileList;
}

function listDownTo(entries: readonly SelectedEntry[], depth: number): FileList {
  const list = { entries: {} as Record<string, string>, folders: {} as Record<string, string> };
  for (const entry of entries) {
    if (entry.depth > depth) continue;
    if (entry.dir && entry.depth === depth) list.folders[entry.path] = entry.tree;
    else list.entries[entryKey(entry)] = entry.own;
  }
  return list;
}

/** Whether a folder strictly above `path` is in `folders`. */
function insideSummarized(path: string, folders: ReadonlySet<string>): boolean {
  let current = path;
  while (current !== '') {
    current = parentContextPath(current);
    if (folders.has(current)) return true;
  }
  return false;
}

function entryKey(entry: SelectedEntry): string {
  if (!entry.dir) return entry.path;
  return entry.path === '' ? './' : `${entry.path}/`;
}

function folderName(path: string): string {
  return `${path === '' ? '.' : path}/…`;
}

function depthOf(path: string): number {
  if (path === '') return 0;
  let depth = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) depth++;
  return depth;
}

function fingerprint(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 17);
}

function isStringMap(value: Json | undefined, valuesAreStrings = false): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return !valuesAreStrings || Object.values(value).every((item) => typeof item === 'string');
}
