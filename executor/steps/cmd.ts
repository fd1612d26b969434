// CMD: the image's default command. Shell form runs through the stage's SHELL (or /bin/sh -c);
// `CMD []` leaves no command. Marks the stage so a later ENTRYPOINT keeps it.
import type { CommandLine } from '../../parser/instructions/command-line.js';
import type { ContainerConfig } from '../image-config.js';
import { goQuotedList, withHistory } from '../dispatch-history.js';
import type { StepHandler } from './types.js';

export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];

/** The argument list stored for a CMD or ENTRYPOINT, as BuildKit builds it. */
export function imageCommand(config: ContainerConfig, command: CommandLine): string[] {
  if (command.form === 'exec') return [...command.args];
  const shell = config.Shell !== undefined && config.Shell.length > 0 ? config.Shell : DEFAULT_SHELL;
  return [...shell, command.text];
}

/** What enters a CMD or ENTRYPOINT key: the command as written (the shell comes from the parent state). */
export function commandOp(command: CommandLine): { form: string; args: string[] } {
  return { form: command.form, args: command.form === 'exec' ? [...command.args] : [command.text] };
}

/** The config with `key` set, or without it when the list is empty (Docker omits empty lists). */
export function withCommandField(config: ContainerConfig, key: 'Cmd' | 'Entrypoint', args: readonly string[]): ContainerConfig {
  const { [key]: _old, ...rest } = config;
  return args.length === 0 ? rest : { ...rest, [key]: args };
}

export const cmdHandler: StepHandler<'CMD'> = {
  kind: 'CMD',
  apply(state, ins) {
    const args = imageCommand(state.config, ins.command);
    const config = { ...withCommandField(state.config, 'Cmd', args), ArgsEscaped: true };
    return withHistory({ ...state, config, cmdSet: true }, `CMD ${goQuotedList(args)}`, false);
  },
  describe(_state, ins) {
    return { op: commandOp(ins.command) };
  },
};
