// What `logs` prints: the container's log file from the start, or from its last N lines (--tail),
// and with --follow whatever the process writes next, until the container stops — as docker logs.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LogCopyOptions {
  /** Keep copying what is appended while `running()` says the container still runs. */
  readonly follow: boolean;
  /** Only the last N lines of what is already there (undefined: all). */
  readonly tail?: number;
  readonly running: () => Promise<boolean>;
  /** How often a followed log is looked at again (ms). */
  readonly pollMs?: number;
}

export async function copyContainerLog(path: string, out: NodeJS.WritableStream, options: LogCopyOptions): Promise<void> {
  let offset = options.tail === undefined ? 0 : await tailOffset(path, options.tail);
  offset = await copyFrom(path, offset, out);
  while (options.follow && (await options.running())) {
    await sleep(options.pollMs ?? 200);
    offset = await copyFrom(path, offset, out);
  }
  // The process may have written its last lines between the last copy and its exit.
  if (options.follow) await copyFrom(path, offset, out);
}

/** Copies bytes `offset…end` as the file is now; returns the new offset (the log only grows). */
async function copyFrom(path: string, offset: number, out: NodeJS.WritableStream): Promise<number> {
  const size = await stat(path).then((info) => info.size, () => 0);
  if (size <= offset) return offset;
  await new Promise<void>((resolve, reject) => {
    const source = createReadStream(path, { start: offset, end: size - 1 });
    source.on('error', reject);
    source.on('end', resolve);
    source.pipe(out as NodeJS.WritableStream, { end: false });
  });
  return size;
}

/** Where the last `lines` lines start (a final line without a newline counts as one). */
async function tailOffset(path: string, lines: number): Promise<number> {
  if (lines <= 0) return (await stat(path).catch(() => undefined))?.size ?? 0;
  const bytes = await readFile(path).catch(() => undefined);
  if (bytes === undefined) return 0;
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  let seen = 0;
  for (let index = end - 1; index >= 0; index--) {
    if (bytes[index] === 0x0a && ++seen === lines) return index + 1;
  }
  return 0;
}
