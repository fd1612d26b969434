// Walking a tree through include/exclude pattern lists, with fsutil's semantics (what BuildKit
// uses to send a context): lexical order per directory, parents before children; a directory
// hidden by the patterns is still entered when a later rule could bring something inside it
// back, and is then listed only if something inside it is; a hidden directory that cannot
// contain anything visible is never read, so its permissions do not matter.
// The walk reads through a WalkSource, so the same code walks a folder on disk and the
// in-memory view of an already-walked context (COPY --exclude).
import { TsbuildError } from '../lib/errors.js';
import { compareNames, joinContextPath } from './context-path.js';
import type { PathVerdict, PatternMatcher } from './dockerignore.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'chardev' | 'blockdev';

/** What identifies a file's current version on disk; the stat cache keys on it. */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly nlink: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** One thing in a build context, as the build sees it. */
export interface ContextEntry {
  /** '/'-separated, relative to the context root. */
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits with setuid, setgid and sticky (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes of content: regular files only, 0 for everything else. */
  readonly size: number;
  /** A symlink's target, verbatim: never resolved, never checked (it is data). */
  readonly linkTarget?: string;
  /** Device number of character and block devices. */
  readonly rdev?: number;
  readonly identity: FileIdentity;
}

/** Something to walk. Paths are relative to the walk root, which is `''`. */
export interface WalkSource {
  /** The names in a directory; errors carry a Node `code` (EACCES, ENOENT...). */
  readdir(dir: string): Promise<string[]>;
  lstat(path: string): Promise<ContextEntry>;
}

/** A pattern list and what it keeps: an include list keeps matches, an exclude list the rest. */
export interface VisibilityRule {
  readonly matcher: PatternMatcher;
  readonly keep: 'matched' | 'unmatched';
}

export interface WalkedEntry {
  /** Relative to the walk root. */
  readonly path: string;
  readonly entry: ContextEntry;
}

interface HiddenDir {
  readonly walked: WalkedEntry;
  listed: boolean;
}

interface Candidate {
  readonly path: string;
  readonly verdicts: readonly PathVerdict[];
  readonly visible: boolean;
  readonly enter: boolean;
}

/** Every entry the rules let through, parents first, names in byte order within a folder. */
export async function walkVisible(source: WalkSource, rules: readonly VisibilityRule[]): Promise<WalkedEntry[]> {
  const out: WalkedEntry[] = [];
  await walkDirectory(source, rules, '', [], [], out);
  return out;
}

async function walkDirectory(
  source: WalkSource,
  rules: readonly VisibilityRule[],
  dir: string,
  parentVerdicts: readonly PathVerdict[],
  hiddenParents: readonly HiddenDir[],
  out: WalkedEntry[],
): Promise<void> {
  const names = await readDirectory(source, dir, hiddenParents.length > 0);
  const candidates = names.map((name) => judge(rules, joinContextPath(dir, name), parentVerdicts));
  const wanted = candidates.filter((candidate) => candidate.visible || candidate.enter);
  const entries = await Promise.all(wanted.map((candidate) => statCandidate(source, candidate)));
  for (let i = 0; i < wanted.length; i++) {
    const entry = entries[i];
    if (entry === undefined) continue;
    const { path, visible, enter, verdicts } = wanted[i];
    const walked = { path, entry };
    if (visible) {
      listHiddenParents(hiddenParents, out);
      out.push(walked);
    }
    if (entry.type !== 'dir' || !enter) continue;
    const hidden = visible ? [] : [...hiddenParents, { walked, listed: false }];
    await walkDirectory(source, rules, path, verdicts, hidden, out);
  }
}

/** Decides from the name alone whether a path is visible and whether to look inside it. */
function judge(rules: readonly VisibilityRule[], path: string, parentVerdicts: readonly PathVerdict[]): Candidate {
  const verdicts = rules.map((rule, i) => rule.matcher.verdict(path, parentVerdicts[i]));
  const kept = rules.map((rule, i) => verdicts[i].matched === (rule.keep === 'matched'));
  const visible = kept.every(Boolean);
  const enter = visible || rules.every((rule, i) => kept[i] || rule.matcher.mayFlipInside(path, verdicts[i]));
  return { path, verdicts, visible, enter };
}

/** A directory hidden by the patterns is listed before the first visible thing inside it. */
function listHiddenParents(hiddenParents: readonly HiddenDir[], out: WalkedEntry[]): void {
  for (const parent of hiddenParents) {
    if (parent.listed) continue;
    parent.listed = true;
    out.push(parent.walked);
  }
}

async function readDirectory(source: WalkSource, dir: string, hidden: boolean): Promise<string[]> {
  try {
    return (await source.readdir(dir)).sort(compareNames);
  } catch (error) {
    // Something that vanished mid-walk is simply gone. A hidden directory we entered only in
    // case an exception matched inside it may be unreadable: upstream skips it quietly.
    if (isVanished(error) || (hidden && isDenied(error))) return [];
    throw walkError(dir, error);
  }
}

async function statCandidate(source: WalkSource, candidate: Candidate): Promise<ContextEntry | undefined> {
  try {
    return await source.lstat(candidate.path);
  } catch (error) {
    if (isVanished(error) || (!candidate.visible && isDenied(error))) return undefined;
    throw walkError(candidate.path, error);
  }
}

function walkError(path: string, error: unknown): TsbuildError {
  if (error instanceof TsbuildError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TsbuildError('E_CONTEXT', `cannot read ${path || '.'} in the build context: ${reason}`, { cause: error });
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function isVanished(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function isDenied(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EACCES' || code === 'EPERM';
}
