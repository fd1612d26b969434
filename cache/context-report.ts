// What `tsbuild context [--explain PATH] CONTEXT` shows: the entries a build would see, which
// ignore file applied (and which were passed over), and for one path the pattern that decided it.
// The CLI formats; this module only gathers, plus a one-line `ls -l`-like form for an entry.
import { BuildContext, type ContextEntry, type ContextExplanation, type ContextOptions, type IgnoreFileChoice } from './context.js';

export interface ContextReport {
  /** The context folder's real path. */
  readonly root: string;
  readonly ignoreFile: IgnoreFileChoice;
  /** What COPY/ADD can see, parents first. */
  readonly entries: readonly ContextEntry[];
  readonly totals: { readonly files: number; readonly dirs: number; readonly symlinks: number; readonly other: number; readonly bytes: number };
  /** Present when a path was asked about. */
  readonly explanation?: ContextExplanation & { readonly visible: boolean };
}

export interface ContextReportOptions extends Omit<ContextOptions, 'removeOnDispose'> {
  /** A path to explain (context-relative; a leading `/` is accepted). */
  readonly explain?: string;
}

export async function describeContext(dir: string, options: ContextReportOptions = {}): Promise<ContextReport> {
  const { explain, ...contextOptions } = options;
  const context = await BuildContext.open(dir, contextOptions);
  const report = { root: context.root, ignoreFile: context.ignoreFile, entries: context.entries, totals: totalsOf(context.entries) };
  if (explain === undefined) return report;
  const explanation = context.explain(explain);
  return { ...report, explanation: { ...explanation, visible: context.entry(explanation.path) !== undefined } };
}

/** `drwxr-xr-x 0:0 4096 path` style, with ` -> target` for symlinks. */
export function formatEntry(entry: ContextEntry): string {
  const link = entry.linkTarget === undefined ? '' : ` -> ${entry.linkTarget}`;
  return `${TYPE_LETTERS[entry.type]}${permissions(entry.mode)} ${entry.uid}:${entry.gid} ${String(entry.size).padStart(10)} ${entry.path}${link}`;
}

const TYPE_LETTERS: Readonly<Record<ContextEntry['type'], string>> = {
  file: '-', dir: 'd', symlink: 'l', fifo: 'p', socket: 's', chardev: 'c', blockdev: 'b',
};

function permissions(mode: number): string {
  const bits = ['r', 'w', 'x', 'r', 'w', 'x', 'r', 'w', 'x'].map((letter, i) => (mode & (0o400 >> i) ? letter : '-'));
  if (mode & 0o4000) bits[2] = bits[2] === 'x' ? 's' : 'S';
  if (mode & 0o2000) bits[5] = bits[5] === 'x' ? 's' : 'S';
  if (mode & 0o1000) bits[8] = bits[8] === 'x' ? 't' : 'T';
  return bits.join('');
}

function totalsOf(entries: readonly ContextEntry[]): ContextReport['totals'] {
  const totals = { files: 0, dirs: 0, symlinks: 0, other: 0, bytes: 0 };
  for (const entry of entries) {
    if (entry.type === 'file') totals.files++;
    else if (entry.type === 'dir') totals.dirs++;
    else if (entry.type === 'symlink') totals.symlinks++;
    else totals.other++;
    totals.bytes += entry.size;
  }
  return totals;
}
