// The `tsbuild` entry point: finds the subcommand (build is the default, so `tsbuild -t x .` works
// like `docker build -t x .`), parses its flags, runs it, and turns errors into exit codes.
import { readFileSync } from 'node:fs';
import { exitCodes, type CliIO, type Command } from './command.js';
import { commands, type CommandEntry } from './commands/index.js';
import { formatFlagHelp, globalFlags, parseFlags } from './options.js';
import { reportError } from './report-error.js';

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const { entry, rest } = findCommand(argv);
  let command: Command | undefined;
  try {
    if (!entry) return topLevel(rest, io);
    command = await entry.load();
    const parsed = parseFlags(rest, command.flags, command.stopAtFirstPositional ?? false);
    if (parsed.flags.help) {
      io.stdout.write(commandHelp(command));
      return exitCodes.ok;
    }
    return await command.run(parsed, io);
  } catch (error) {
    return reportError(error, io, command);
  }
}

/** The first word that is not a global flag (or its value) names the command; none means build. */
function findCommand(argv: readonly string[]): { entry?: CommandEntry; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--root') { i++; continue; }
    if (arg.startsWith('--root=')) continue;
    if (isTopLevelFlag(arg) && argv.length === 1) return { rest: [...argv] };
    const named = commands.find((c) => c.name === arg);
    if (named) return { entry: named, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    break;
  }
  return { entry: commands.find((c) => c.name === 'build'), rest: [...argv] };
}

function isTopLevelFlag(arg: string): boolean {
  return ['--help', '-h', '--version', '-v', 'help'].includes(arg);
}

function topLevel(argv: readonly string[], io: CliIO): number {
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout.write(`tsbuild ${packageVersion()}\n`);
    return exitCodes.ok;
  }
  io.stdout.write(overallHelp());
  return exitCodes.ok;
}

export function packageVersion(): string {
  const url = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

function overallHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: tsbuild [--root DIR] COMMAND [OPTIONS]',
    '       tsbuild [OPTIONS] PATH        (same as `tsbuild build`)',
    '',
    'Build, store and run container images from Dockerfiles, without a daemon.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global options:',
    formatFlagHelp([...globalFlags, { name: 'version', alias: 'v', type: 'boolean', description: 'Print the version' }]),
    '',
    "Run 'tsbuild COMMAND --help' for a command's options.",
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `Usage: tsbuild ${command.name} ${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    formatFlagHelp([...command.flags, ...globalFlags]),
    '',
  ].join('\n');
}
