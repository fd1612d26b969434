// Byte progress of blob transfers (pulls, pushes, exports), reported as events the CLI draws as
// progress bars, prints as lines, or writes as JSON. Reports are throttled per blob so a fast
// download does not flood a listener; the first and the last report always go out.

/** One blob's progress: `current` bytes of `total` (absent when not known in advance). */
export interface TransferEvent {
  readonly type: 'transfer';
  readonly action: 'pull' | 'push' | 'export';
  /** The image reference (pull, push) or the output (export) the blob belongs to. */
  readonly ref: string;
  /** The blob's digest, or a name for a stream that has none (an export's file). */
  readonly blob: string;
  readonly current: number;
  readonly total?: number;
  /** True on the last report for this blob. */
  readonly done: boolean;
}

export type TransferListener = (event: TransferEvent) => void;

import { Writable } from 'node:stream';

const REPORT_EVERY_MS = 100;

/** A reporter for one blob: call it with the bytes so far, and with `done` at the end. */
export function blobReporter(listener: TransferListener | undefined, base: Omit<TransferEvent, 'type' | 'current' | 'done'>, now: () => number = Date.now): (current: number, done?: boolean) => void {
  let last = -Infinity;
  return (current, done = false) => {
    if (listener === undefined) return;
    if (!done && now() - last < REPORT_EVERY_MS) return;
    last = now();
    listener({ type: 'transfer', ...base, current, done });
  };
}

/** A Writable in front of `sink` that reports the bytes written through it; ending it ends `sink`. */
export function countingSink(sink: Writable, report: (current: number, done?: boolean) => void): Writable {
  let current = 0;
  report(0);
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      current += chunk.length;
      report(current);
      if (sink.write(chunk)) callback();
      else sink.once('drain', () => callback());
    },
    final(callback) {
      sink.once('error', callback);
      sink.end(() => {
        report(current, true);
        callback();
      });
    },
    destroy(error, callback) {
      if (error) sink.destroy(error);
      callback(error);
    },
  });
}

/** Passes `source` through, telling `report` the running byte count, then `done` once it ends. */
export async function* countedBytes(source: AsyncIterable<Buffer>, report: (current: number, done?: boolean) => void): AsyncGenerator<Buffer> {
  let current = 0;
  report(0);
  for await (const chunk of source) {
    current += chunk.length;
    report(current);
    yield chunk;
  }
  report(current, true);
}
