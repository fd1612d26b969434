// Turns an error into what the user sees and an exit code. Dockerfile errors show the lines around
// the failure with a `>>>` marker, the way BuildKit prints them.
import { DockerfileError, TsbuildError, UsageError } from '../errors.js';
import { exitCodes, type CliIO, type Command } from './command.js';

const contextLines = 2;

export function reportError(error: unknown, io: CliIO, command?: Command): number {
  if (error instanceof UsageError) {
    const hint = command ? `\nSee 'tsbuild ${command.name} --help'.` : '';
    io.stderr.write(`tsbuild: ${error.message}${hint}\n`);
    return exitCodes.usage;
  }
  if (error instanceof DockerfileError) {
    io.stderr.write(formatDockerfileError(error));
    return exitCodes.failure;
  }
  if (error instanceof TsbuildError) {
    io.stderr.write(`ERROR: ${error.message}\n`);
    return exitCodes.failure;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`ERROR: internal error: ${detail}\n`);
  return exitCodes.failure;
}

/** `Dockerfile:3` + an excerpt with a marker on the failing lines + `ERROR: …`. */
export function formatDockerfileError(error: DockerfileError): string {
  const { file, range } = error.location;
  const name = file || 'Dockerfile';
  const out = [`${name}:${range.start.line}`];
  if (error.sourceText !== undefined) out.push(...excerpt(error.sourceText, range.start.line, range.end.line));
  out.push(`ERROR: ${error.located}`);
  return out.join('\n') + '\n';
}

function excerpt(text: string, startLine: number, endLine: number): string[] {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, startLine - contextLines);
  const last = Math.min(lines.length, Math.max(startLine, endLine) + contextLines);
  const width = String(last).length;
  const rule = '--------------------';
  const body: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n >= startLine && n <= Math.max(startLine, endLine) ? '>>>' : '   ';
    body.push(` ${String(n).padStart(width)} | ${marker} ${lines[n - 1] ?? ''}`);
  }
  return [rule, ...body, rule];
}
