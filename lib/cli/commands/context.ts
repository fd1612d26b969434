// `tsbuild context [-f Dockerfile] [--explain PATH] [--json] DIR`: what a build would see of a
// context folder, and why a path is in or out (the question .dockerignore users keep asking).
import { resolve } from 'node:path';
import { describeContext, formatEntry, type ContextReport } from '../../../cache/context-report.js';
import { UsageError } from '../../errors.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';

export const contextCommand: Command = {
  name: 'context',
  summary: 'Show the files of a build context after .dockerignore, or why one path is in or out',
  usage: '[OPTIONS] PATH',
  flags: [
    { name: 'file', alias: 'f', type: 'string', value: 'PATH', description: 'The Dockerfile (its <name>.dockerignore takes precedence)' },
    { name: 'explain', type: 'string', value: 'PATH', description: 'Say which ignore pattern decides PATH' },
    { name: 'json', type: 'boolean', description: 'Print the report as JSON' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 1) throw new UsageError('"context" requires exactly 1 argument: the context folder');
    const dir = resolve(io.cwd, parsed.positionals[0]!);
    const file = parsed.flags.file as string | undefined;
    const explain = parsed.flags.explain as string | undefined;
    const report = await describeContext(dir, {
      ...(file !== undefined ? { dockerfile: resolve(io.cwd, file) } : {}),
      ...(explain !== undefined ? { explain } : {}),
    });
    io.stdout.write(parsed.flags.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return exitCodes.ok;
  },
};

function formatReport(report: ContextReport): string {
  if (report.explanation) {
    const { path, summary, visible } = report.explanation;
    return `${path}: ${visible ? 'included' : 'excluded'} (${summary})\n`;
  }
  const { files, dirs, symlinks, other, bytes } = report.totals;
  const ignore = report.ignoreFile.path ? `${report.ignoreFile.name} (${report.ignoreFile.patterns.length} patterns)` : 'none';
  const lines = report.entries.map(formatEntry);
  for (const skipped of report.ignoreFile.skipped) lines.push(`note: ignore file ${skipped.path} not used: ${skipped.reason}`);
  lines.push(`${files} files, ${dirs} folders, ${symlinks} symlinks, ${other} other, ${bytes} bytes; ignore file: ${ignore}`);
  return lines.join('\n') + '\n';
}
