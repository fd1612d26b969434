// Which progress output a build gets: `--progress` (and `-q`, which means quiet) resolved against
// the terminal, as docker build does: auto is the live view when stderr is a terminal, plain lines
// otherwise (files, pipes, CI logs).
import type { BuildEventListener } from '../build.js';
import type { CliIO } from './command.js';
import type { ParsedFlags } from './options.js';
import { progressJsonWriter } from './progress-json.js';
import { progressPrinter } from './progress-plain.js';
import { progressTty } from './progress-tty.js';
import { jsonTransferWriter, plainTransferPrinter } from './progress-transfer.js';
import type { TransferListener } from '../transfer-progress.js';

export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

export interface BuildProgress {
  readonly mode: ProgressMode;
  readonly onEvent?: BuildEventListener;
  /** Byte progress of pulls and exports (bars in tty, a line per blob in plain, json lines). */
  readonly onTransfer?: TransferListener;
  /** Ends a live view (final frame); nothing for the line-based modes. */
  finish(): void;
  /** Writes a status line that is not a step (above the live view in tty mode). */
  say?(line: string): void;
}

export function progressMode(requested: string, quietFlag: boolean, stderrIsTty: boolean): ProgressMode {
  if (quietFlag || requested === 'quiet') return 'quiet';
  if (requested === 'auto') return stderrIsTty ? 'tty' : 'plain';
  return requested as ProgressMode;
}

export function progressFor(parsed: ParsedFlags, io: CliIO): BuildProgress {
  const stderr = io.stderr as CliIO['stderr'] & { isTTY?: boolean; columns?: number };
  const mode = progressMode(String(parsed.flags.progress ?? 'auto'), parsed.flags.quiet === true, stderr.isTTY === true);
  const nothing = (): void => undefined;
  if (mode === 'plain') return { mode, onEvent: progressPrinter(io.stderr), onTransfer: plainTransferPrinter(io.stderr), finish: nothing };
  if (mode === 'json') return { mode, onEvent: progressJsonWriter(io.stderr), onTransfer: jsonTransferWriter(io.stderr), finish: nothing };
  if (mode === 'tty') {
    const live = progressTty(stderr);
    return { mode, onEvent: live.onEvent, onTransfer: live.onTransfer, finish: () => live.finish(), say: (line) => live.say(line) };
  }
  return { mode, finish: nothing };
}
