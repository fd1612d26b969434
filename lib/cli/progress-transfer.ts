// Transfers (pulled layers, exported files) in the progress outputs: a bar per blob in the live
// view, one line per finished blob in plain output, and every (throttled) report in json.
import type { Writable } from 'node:stream';
import type { TransferEvent, TransferListener } from '../transfer-progress.js';
import { PROGRESS_JSON_VERSION } from './progress-json.js';
import { humanSize } from './units.js';

const BAR_WIDTH = 20;

/** `sha256:0123456789ab` from a digest; other names as they are. */
function shortBlob(blob: string): string {
  return /^sha256:[0-9a-f]{64}$/.test(blob) ? blob.slice(0, 19) : blob;
}

/** A bar of `width` cells for current/total; without a total, only the byte count is shown. */
export function transferBar(event: TransferEvent, width = BAR_WIDTH): string {
  if (event.total === undefined || event.total <= 0) return humanSize(event.current);
  const fraction = Math.min(1, event.current / event.total);
  const filled = Math.round(fraction * width);
  const head = filled < width ? '>' : '';
  return `[${'='.repeat(Math.max(0, filled - head.length))}${head}${' '.repeat(width - filled)}] ${humanSize(event.current)} / ${humanSize(event.total)}`;
}

/** One row of the live view: ` ⠿ pull docker.io/library/nginx sha256:0123… [====>   ] 1.2MB / 3.4MB`. */
export function transferRow(event: TransferEvent): string {
  const mark = event.done ? '✔' : '⠿';
  return ` ${mark} ${event.action} ${event.ref} ${shortBlob(event.blob)} ${event.done ? humanSize(event.current) : transferBar(event)}`;
}

/** Plain output: a line per blob once it is complete, as BuildKit's plain mode logs `done`. */
export function plainTransferPrinter(out: Writable): TransferListener {
  return (event) => {
    if (event.done) out.write(`${event.action} ${event.ref} ${shortBlob(event.blob)} ${humanSize(event.current)} done\n`);
  };
}

/** JSON output: each report as a line, the same shape as build events (`type: "transfer"`). */
export function jsonTransferWriter(out: Writable, now: () => Date = () => new Date()): TransferListener {
  return (event) => out.write(`${JSON.stringify({ v: PROGRESS_JSON_VERSION, time: now().toISOString(), ...event })}\n`);
}

/** The live view's transfer rows, latest report per blob, in the order blobs started. */
export class TransferRows {
  private readonly latest = new Map<string, TransferEvent>();

  readonly record: TransferListener = (event) => {
    this.latest.set(`${event.action} ${event.ref} ${event.blob}`, event);
  };

  lines(clip: (line: string) => string): string[] {
    return [...this.latest.values()].map((event) => clip(transferRow(event)));
  }
}
