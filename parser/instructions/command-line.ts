// The command of RUN, CMD, ENTRYPOINT and HEALTHCHECK: exec form (a JSON array, run as is) or
// shell form (one string, run through the stage's SHELL).
import type { SyntaxNode } from '../syntax-tree.js';

/**
 * Shell form with empty text (`CMD` alone) still means "the shell with an empty command", as in
 * BuildKit; exec form with no arguments (`ENTRYPOINT []`) means "no command".
 */
export type CommandLine =
  | { readonly form: 'shell'; readonly text: string }
  | { readonly form: 'exec'; readonly args: readonly string[] };

/**
 * BuildKit's handleJSONArgs: exec form keeps the list, shell form is the words joined with single
 * spaces (a one-element list), no words at all is an empty list.
 */
export function joinShellWords(args: readonly string[], json: boolean): string[] {
  if (args.length === 0) return [];
  return json ? [...args] : [args.join(' ')];
}

export function commandLineOf(args: readonly string[], json: boolean): CommandLine {
  return json ? { form: 'exec', args: [...args] } : { form: 'shell', text: args.join(' ') };
}

/** The command line of a RUN, CMD or ENTRYPOINT node. */
export function nodeCommandLine(node: SyntaxNode): CommandLine {
  return commandLineOf(node.args, node.json);
}

/** The argument list BuildKit stores for a command (its CmdLine): the exec words or the one shell text. */
export function commandWords(command: CommandLine): string[] {
  if (command.form === 'exec') return [...command.args];
  return command.text === '' ? [] : [command.text];
}
