// `tsbuild completion bash|zsh|fish`: prints a completion script made from the command table.
import { UsageError } from '../../errors.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import { completionScript, completionShells, type CompletionShell } from '../completion.js';
import { globalFlags, type ParsedFlags } from '../options.js';

export const completionCommand: Command = {
  name: 'completion',
  summary: 'Print a shell completion script (bash, zsh or fish)',
  usage: 'bash|zsh|fish',
  flags: [],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const [shell, ...extra] = parsed.positionals;
    if (shell === undefined || extra.length > 0 || !(completionShells as readonly string[]).includes(shell)) {
      throw new UsageError(`"completion" requires 1 argument: one of ${completionShells.join(', ')}`);
    }
    // The table imports this command, so it is read when the command runs, not when it loads.
    const { commands } = await import('./index.js');
    const loaded = await Promise.all(commands.map((entry) => entry.load()));
    io.stdout.write(completionScript(shell as CompletionShell, loaded, globalFlags));
    return exitCodes.ok;
  },
};
