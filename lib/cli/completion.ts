// Shell completion scripts for bash, zsh and fish, generated from the command and flag tables, so
// they list exactly what the parser accepts. Commands complete in the first position (with files,
// since `tsbuild PATH` builds), flags after a command, and flag values from their choices.
import type { Command } from './command.js';
import type { FlagSpec } from './options.js';

export const completionShells = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof completionShells)[number];

interface Table {
  readonly commands: readonly Command[];
  readonly globalFlags: readonly FlagSpec[];
}

function flagWords(flags: readonly FlagSpec[]): string[] {
  return flags.flatMap((flag) => [`--${flag.name}`, ...(flag.alias ? [`-${flag.alias}`] : [])]);
}

function takesValue(flag: FlagSpec): boolean {
  return flag.type !== 'boolean';
}

/** Single-quoted for sh-like shells. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function bashScript({ commands, globalFlags }: Table): string {
  const valueFlags = (command: Command) => [...command.flags, ...globalFlags].filter(takesValue);
  const flagCases = commands.map((command) =>
    `    ${command.name}) flags=${quote(flagWords([...command.flags, ...globalFlags]).join(' '))} values=${quote(` ${flagWords(valueFlags(command)).join(' ')} `)} ;;`);
  const choiceCases = commands.flatMap((command) => valueFlags(command).filter((flag) => flag.choices).flatMap((flag) =>
    [`--${flag.name}`, ...(flag.alias ? [`-${flag.alias}`] : [])].map((word) => `    ${command.name}:${word}) COMPREPLY=($(compgen -W ${quote(flag.choices!.join(' '))} -- "$cur")); return ;;`)));
  return `# bash completion for tsbuild; load it with: source <(tsbuild completion bash)
_tsbuild() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd= i flags= values=
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      --root) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  case \${cmd:-build}:$prev in
${choiceCases.join('\n')}
  esac
  case \${cmd:-build} in
${flagCases.join('\n')}
  esac
  case $values in
    *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    [[ -z $cmd ]] && flags+=' --version'
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W ${quote(commands.map((command) => command.name).join(' '))} -- "$cur") $(compgen -d -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _tsbuild tsbuild
`;
}

/** Text inside a zsh _arguments spec: brackets and colons escaped, then single-quoted. */
function zshText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1');
}

function zshFlagSpec(flag: FlagSpec): string {
  const names = flag.alias ? `{-${flag.alias},--${flag.name}}` : `--${flag.name}`;
  const repeat = flag.type === 'strings' ? '*' : '';
  const exclusive = flag.alias && !repeat ? `(-${flag.alias} --${flag.name})` : '';
  const value = !takesValue(flag) ? '' : `:${zshText(flag.value ?? 'VALUE')}:${flag.choices ? `(${flag.choices.join(' ')})` : '_files'}`;
  const description = `[${zshText(flag.description)}]${value}`;
  return flag.alias ? `${quote(repeat + exclusive)}${names}${quote(description)}` : quote(`${repeat}${names}${description}`);
}

function zshScript({ commands, globalFlags }: Table): string {
  const described = commands.map((command) => quote(`${command.name}:${zshText(command.summary)}`)).join(' ');
  const cases = commands.map((command) => `    ${command.name}) _arguments -s ${[...command.flags, ...globalFlags].map(zshFlagSpec).join(' ')} '*:file:_files' ;;`);
  return `#compdef tsbuild
# zsh completion for tsbuild; load it with: source <(tsbuild completion zsh)
_tsbuild() {
  local -a commands
  commands=(${described})
  local cmd i
  for ((i = 2; i < CURRENT; i++)); do
    case \${words[i]} in
      --root) ((i++)) ;;
      -*) ;;
      *) cmd=\${words[i]}; break ;;
    esac
  done
  if [[ -z $cmd && \${words[CURRENT]} != -* ]]; then
    _describe 'command' commands
    _files -/
    return
  fi
  case \${cmd:-build} in
${cases.join('\n')}
  esac
}
compdef _tsbuild tsbuild
`;
}

function fishScript({ commands, globalFlags }: Table): string {
  const names = commands.map((command) => command.name).join(' ');
  const lines = [
    '# fish completion for tsbuild; load it with: tsbuild completion fish | source',
    'complete -c tsbuild -f',
    ...commands.map((command) => `complete -c tsbuild -n '__fish_use_subcommand' -a ${command.name} -d ${quote(command.summary)}`),
    `complete -c tsbuild -n '__fish_use_subcommand' -l version -s v -d 'Print the version'`,
    ...globalFlags.map((flag) => fishFlag(flag, '')),
    ...commands.flatMap((command) => command.flags.map((flag) => fishFlag(flag, `__fish_seen_subcommand_from ${command.name}`))),
    `complete -c tsbuild -n 'not __fish_seen_subcommand_from ${names}' -F`,
  ];
  return `${lines.join('\n')}\n`;
}

function fishFlag(flag: FlagSpec, condition: string): string {
  const parts = ['complete -c tsbuild'];
  if (condition) parts.push(`-n ${quote(condition)}`);
  parts.push(`-l ${flag.name}`);
  if (flag.alias) parts.push(flag.alias.length === 1 ? `-s ${flag.alias}` : `-o ${flag.alias}`);
  if (flag.choices) parts.push(`-x -a ${quote(flag.choices.join(' '))}`);
  else if (takesValue(flag)) parts.push('-r -F');
  parts.push(`-d ${quote(flag.description)}`);
  return parts.join(' ');
}

/** The completion script for `shell`, from the command table and the global flags. */
export function completionScript(shell: CompletionShell, commands: readonly Command[], globalFlags: readonly FlagSpec[]): string {
  const table = { commands, globalFlags };
  switch (shell) {
    case 'bash':
      return bashScript(table);
    case 'zsh':
      return zshScript(table);
    case 'fish':
      return fishScript(table);
  }
}
