// The argv of a RUN, as BuildKit's dispatchRun builds it: exec form as written; shell form
// through the stage's SHELL (default `/bin/sh -c`) with the words joined by spaces; heredocs in
// three shapes. A RUN that is only `<<EOF` runs the body: as a script file when it starts with
// `#!` (so the kernel picks the interpreter), else as the shell's command text. Any other RUN with
// heredocs gets the bodies and terminators appended to its text, so the shell reads them itself.
import { chompHeredocContent, parseHeredocMarker } from '../../parser/heredoc-lexer.js';
import type { RunInstruction } from '../../parser/instructions/run.js';
import { goQuote } from '../../parser/syntax-dump.js';
import { TsbuildError } from '../../lib/errors.js';

export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];
/** Where BuildKit mounts a shebang heredoc (it shows in history and in the script's `$0`). */
export const BUILDKIT_SCRIPT_DIR = '/dev/pipes';

/** A heredoc run as a file: placed at `<dir>/<name>` with mode 0755, read-only. */
export interface HeredocScript {
  readonly name: string;
  readonly data: string;
}

export interface RunCommand {
  readonly args: readonly string[];
  readonly script?: HeredocScript;
}

/** A heredoc body as the command uses it: `<<-` strips leading tabs. */
function heredocBody(file: RunInstruction['files'][number]): string {
  return file.chomp ? chompHeredocContent(file.data) : file.data;
}

/** The words before the shell is prepended (BuildKit's CmdLine after heredoc handling). */
function commandWords(ins: RunInstruction, scriptDir: string): { words: string[]; script?: HeredocScript } {
  if (ins.command.form === 'exec') {
    if (ins.files.length > 0) throw new TsbuildError('E_STEP', `parsing produced an invalid run command: [${ins.command.args.join(' ')}]`);
    return { words: [...ins.command.args] };
  }
  const text = ins.command.text;
  const first = ins.files[0];
  if (first === undefined) return { words: text === '' ? [] : [text] };
  if (parseHeredocMarker(text) !== undefined) {
    if (first.data.startsWith('#!')) {
      const script = { name: first.name, data: heredocBody(first) };
      return { words: [`${scriptDir}/${first.name}`], script };
    }
    return { words: [heredocBody(first)] };
  }
  // The shell reads the heredocs itself; bodies go in unchomped, the shell strips `<<-` tabs.
  return { words: [text + ins.files.map((file) => `\n${file.data}${file.name}`).join('')] };
}

/**
 * The process's argv. `scriptDir` is where a shebang heredoc's file is mounted: BuildKit's
 * /dev/pipes for history, or wherever the sandbox allows a mount when the step really runs.
 */
export function runCommand(ins: RunInstruction, shell: readonly string[] | undefined, scriptDir = BUILDKIT_SCRIPT_DIR): RunCommand {
  const { words, script } = commandWords(ins, scriptDir);
  const args = ins.command.form === 'shell' ? [...(shell ?? DEFAULT_SHELL), words.join(' ')] : words;
  return script === undefined ? { args } : { args, script };
}

/**
 * The history line: `RUN [|N k=v ...] argv... # buildkit`, where the pairs are every ARG of the
 * stage with the value the environment gives it (an ENV of the same name wins) or its own.
 */
export function runHistoryLine(args: readonly string[], buildArgPairs: readonly string[]): string {
  const prefix = buildArgPairs.length > 0 ? `|${buildArgPairs.length} ${buildArgPairs.join(' ')} ` : '';
  return `RUN ${prefix}${args.join(' ')} # buildkit`;
}

/** BuildKit's error for a failed process, with Go's %q quoting of the joined argv. */
/** A process the sandbox stopped (the disk guard), named as BuildKit names a failed one. */
export function processStoppedError(args: readonly string[], reason: string, cause: unknown): TsbuildError {
  return new TsbuildError('E_STEP', `process ${goQuote(args.join(' '))} was stopped: ${reason}`, { cause });
}

export function processFailedError(args: readonly string[], exitCode: number): TsbuildError {
  return new TsbuildError('E_STEP', `process ${goQuote(args.join(' '))} did not complete successfully: exit code: ${exitCode}`);
}
