// What a CLI subcommand is: a flag table, a usage line and a run function. The run function gets
// its streams and environment passed in, so commands can be driven from specs without a process.
import type { Readable, Writable } from 'node:stream';
import type { FlagSpec, ParsedFlags } from './options.js';

export interface CliIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Arguments after the command name, e.g. `[OPTIONS] PATH | -`. */
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Flags end at the first positional: what follows belongs to the container (`run IMAGE ls -l`). */
  readonly stopAtFirstPositional?: boolean;
  /** Resolves to the process exit code: 0 success, 1 failure, 2 usage error. */
  run(parsed: ParsedFlags, io: CliIO): Promise<number>;
}

/** Exit codes shared by every command. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
