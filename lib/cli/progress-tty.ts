// `--progress tty`: a live view on a terminal, like BuildKit's. One row per step that does work,
// with its elapsed time, CACHED or DONE; under a running step its last few output lines. The view
// is redrawn in place (cursor up + clear) a few times a second, and left on screen when done with
// the full tail of a failed step's output, so the failure stays readable after the live part ends.
import type { Writable } from 'node:stream';
import type { BuildEvent, BuildEventListener } from '../build.js';
import type { TransferListener } from '../transfer-progress.js';
import { TransferRows } from './progress-transfer.js';

/** Output lines shown under a running step, and kept for a failed one. */
const RUNNING_TAIL = 6;
const FAILED_TAIL = 20;
const REDRAW_MS = 150;

interface StepRow {
  readonly label: string;
  readonly text: string;
  readonly startedMs: number;
  state: 'running' | 'done' | 'cached' | 'error';
  durationMs?: number;
  error?: string;
  readonly tail: string[];
}

export interface LiveProgress {
  readonly onEvent: BuildEventListener;
  /** Pulls and exports: a progress bar per blob under the steps. */
  readonly onTransfer: TransferListener;
  /** Draws the final view and stops redrawing; call once, whether the build succeeded or not. */
  finish(): void;
  /** A line above the live view (pulls, cache transfers), which is redrawn under it. */
  say(line: string): void;
}

/** The live view on `out`, which should be a terminal (`columns` is read to clip rows). */
export function progressTty(out: Writable & { columns?: number }, now: () => number = Date.now): LiveProgress {
  const rows = new Map<string, StepRow>();
  const transfers = new TransferRows();
  const startedMs = now();
  let drawnLines = 0;
  const draw = (final: boolean): void => {
    const columns = out.columns || 100;
    const clip = (line: string): string => (line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line);
    const lines = [...render([...rows.values()], now, startedMs, final, columns), ...transfers.lines(clip)];
    out.write(`${drawnLines > 0 ? `\x1b[${drawnLines}A` : ''}\x1b[J${lines.join('\n')}\n`);
    drawnLines = lines.length;
  };
  const timer = setInterval(() => draw(false), REDRAW_MS);
  timer.unref();
  return {
    onEvent: (event: BuildEvent) => record(rows, event, now),
    onTransfer: transfers.record,
    finish: () => {
      clearInterval(timer);
      draw(true);
      drawnLines = 0; // the final view stays; later lines go under it
    },
    say: (line: string) => {
      out.write(`${drawnLines > 0 ? `\x1b[${drawnLines}A` : ''}\x1b[J${line}\n`);
      drawnLines = 0;
    },
  };
}

function record(rows: Map<string, StepRow>, event: BuildEvent, now: () => number): void {
  if (event.type === 'step' && event.metadataOnly && event.error === undefined) return;
  const id = `${event.stage}/${event.step}`;
  if (event.type === 'step' && event.phase === 'started') {
    const stage = event.stageName ?? `stage-${event.stage}`;
    rows.set(id, { label: `${stage} ${event.step + 2}/${event.steps + 1}`, text: event.text, startedMs: now(), state: 'running', tail: [] });
    return;
  }
  const row = rows.get(id);
  if (row === undefined) return;
  if (event.type === 'log') {
    row.tail.push(event.line);
    if (row.tail.length > FAILED_TAIL) row.tail.shift();
    return;
  }
  row.durationMs = event.durationMs ?? now() - row.startedMs;
  row.state = event.error !== undefined ? 'error' : event.cached ? 'cached' : 'done';
  if (event.error !== undefined) row.error = event.error;
}

/** The view as lines: a header, then each step with its status, running tails and failure tails. */
export function render(rows: readonly StepRow[], now: () => number, startedMs: number, final: boolean, columns: number): string[] {
  const clip = (line: string): string => (line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line);
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
  const lines = [`[+] Building ${seconds(now() - startedMs)} (${rows.filter((r) => r.state !== 'running').length}/${rows.length})${final ? ' FINISHED' : ''}`];
  for (const row of rows) {
    const status = row.state === 'cached' ? 'CACHED' : row.state === 'running' ? seconds(now() - row.startedMs) : row.state === 'error' ? `ERROR ${seconds(row.durationMs ?? 0)}` : seconds(row.durationMs ?? 0);
    const mark = row.state === 'error' ? '✗' : row.state === 'running' ? '⠿' : '✔';
    const left = ` ${mark} [${row.label}] ${row.text}`;
    const room = Math.max(10, columns - 1 - status.length - 1);
    lines.push(`${left.length > room ? `${left.slice(0, room - 1)}…` : left.padEnd(room)} ${status}`);
    if (row.state === 'running') lines.push(...row.tail.slice(-RUNNING_TAIL).map((line) => clip(` => ${line}`)));
    if (row.state === 'error') {
      lines.push(...row.tail.map((line) => clip(` => ${line}`)));
      if (row.error !== undefined) lines.push(clip(` => ERROR: ${row.error}`));
    }
  }
  return lines;
}
