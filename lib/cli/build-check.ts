// `build --check`: BuildKit's lint rules (and ours, such as unused build args) without building.
// Findings print as warnings; the exit status is 1 only when `# check=error=true` turns them into
// errors, as with `docker build --check`.
import { checkOutcome, lintDockerfile } from '../../parser/checks.js';
import type { ParsedDockerfile } from '../../parser/stages.js';
import type { BuildWarning } from '../../parser/warnings.js';
import { viewPlan } from '../dry-run/plan-view.js';
import type { PlanPrintOptions } from './build-dry-run.js';
import { exitCodes, type CliIO } from './command.js';
import { formatWarning } from './format-warning.js';

export function runCheck(parsed: ParsedDockerfile, options: PlanPrintOptions, io: CliIO): number {
  const view = viewPlan(parsed, {
    ...(options.target !== undefined ? { target: options.target } : {}),
    buildArgs: options.buildArgs,
    platform: options.platform,
    file: options.file,
  });
  const outcome = checkOutcome(mergeFindings(lintDockerfile(parsed), view.warnings), parsed.directives);
  if (options.json) {
    io.stdout.write(JSON.stringify({ warnings: outcome.warnings, failed: outcome.failed }, null, 2) + '\n');
  } else {
    const count = outcome.warnings.length;
    const lines = count === 0 ? ['Check complete, no warnings found.'] : [`Check complete, ${count} warning${count === 1 ? ' has' : 's have'} been found!`, ''];
    lines.push(...outcome.warnings.map((warning) => formatWarning(warning, options.file)));
    io.stdout.write(lines.join('\n') + '\n');
  }
  return outcome.failed ? exitCodes.failure : exitCodes.ok;
}

/** Lint findings and dispatch findings, each once, in file order (option findings last). */
function mergeFindings(...lists: (readonly BuildWarning[])[]): BuildWarning[] {
  const seen = new Set<string>();
  const merged: BuildWarning[] = [];
  for (const warning of lists.flat()) {
    const key = `${warning.rule}\0${warning.message}\0${warning.range?.start.line ?? ''}`;
    if (!seen.has(key)) merged.push(warning);
    seen.add(key);
  }
  const line = (w: BuildWarning) => w.range?.start.line ?? Number.MAX_SAFE_INTEGER;
  return merged.sort((a, b) => line(a) - line(b));
}
