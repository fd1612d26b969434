// Collects samples per (workload, phase, builder) and prints medians, peak memory, ratios and
// whether each ratio meets its target.
import type { Phase } from './workloads.js';
import type { Sample } from './tools.js';

/** tsbuild / BuildKit ratio targets; a missing entry has no target. */
const TARGETS: Record<string, number> = {
  'hello cold': 0.7, 'hello warm': 0.5,
  'many cold': 0.5, 'many warm': 0.5,
  'ctx20k cold': 0.8, 'ctx20k warm': 0.25, 'ctx20k touched': 0.5,
  'big cold': 0.8, 'big warm': 0.5,
  'fanout cold': 1.1,
};
const BIG_PEAK_LIMIT = 300 * 1e6;

export class Results {
  private readonly samples = new Map<string, Sample[]>();
  private readonly rows: string[] = [];

  add(workload: string, phase: Phase, builder: string, sample: Sample): void {
    const row = `${workload} ${phase}`;
    if (!this.rows.includes(row)) this.rows.push(row);
    const key = `${row}|${builder}`;
    this.samples.set(key, [...(this.samples.get(key) ?? []), sample]);
  }

  /** The table, one line per workload and phase. */
  format(): string {
    const header = ['workload', 'tsbuild', 'peak RSS', 'BuildKit', 'ratio', 'target', ''];
    const lines = this.rows.map((row) => this.line(row));
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const show = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
    return [show(header), ...lines.map(show)].join('\n');
  }

  private line(row: string): string[] {
    const ours = this.samples.get(`${row}|tsbuild`) ?? [];
    const theirs = this.samples.get(`${row}|BuildKit`) ?? [];
    const oursMs = median(ours.map((s) => s.ms));
    const theirsMs = median(theirs.map((s) => s.ms));
    const peak = Math.max(...ours.map((s) => s.peakRss ?? 0));
    const ratio = oursMs !== undefined && theirsMs !== undefined ? oursMs / theirsMs : undefined;
    const target = TARGETS[row];
    let verdict = '';
    if (ratio !== undefined && target !== undefined) verdict = ratio <= target ? 'met' : 'NOT met';
    if (row === 'big cold' && peak > BIG_PEAK_LIMIT) verdict += ' (peak > 300 MB)';
    return [
      row, seconds(oursMs, ours.length), peak > 0 ? `${(peak / 1e6).toFixed(0)} MB` : '-',
      seconds(theirsMs, theirs.length), ratio === undefined ? '-' : ratio.toFixed(2),
      target === undefined ? '-' : `<= ${target}`, verdict,
    ];
  }
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function seconds(ms: number | undefined, count: number): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s (n=${count})`;
}
