// Prints the plan of `build --dry-run`: stages in run order, each step as written and as it will
// run once variables are expanded, then warnings. `--format json` prints the same as one object.
import type { Platform } from '../../executor/image-config.js';
import type { ParsedDockerfile } from '../../parser/stages.js';
import { formatWarning } from './format-warning.js';
import { viewPlan, type PlanStageView, type PlanView } from '../dry-run/plan-view.js';
import { exitCodes, type CliIO } from './command.js';

export interface PlanPrintOptions {
  readonly target: string | undefined;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly platform: Platform;
  readonly file: string;
  readonly json: boolean;
}

export function printPlan(parsed: ParsedDockerfile, options: PlanPrintOptions, io: CliIO): number {
  const view = viewPlan(parsed, {
    ...(options.target !== undefined ? { target: options.target } : {}),
    buildArgs: options.buildArgs,
    platform: options.platform,
    file: options.file,
  });
  io.stdout.write(options.json ? JSON.stringify(view, null, 2) + '\n' : formatPlan(view, options.file));
  return exitCodes.ok;
}

function stageLabel(stage: { index: number; name?: string }): string {
  return stage.name ? `${stage.index} (${stage.name})` : String(stage.index);
}

function baseText(stage: PlanStageView, view: PlanView): string {
  if (stage.base.kind === 'scratch') return 'scratch';
  if (stage.base.kind === 'image') return `image ${stage.base.ref}`;
  const index = stage.base.index;
  return `stage ${stageLabel(view.stages.find((s) => s.index === index) ?? { index })}`;
}

export function formatPlan(view: PlanView, file: string): string {
  const lines = [`${file}: target stage ${stageLabel(view.target)}, ${view.stages.length} stage(s) to build`];
  for (const stage of view.stages) {
    const needs = stage.dependsOn.length > 0 ? `; needs ${stage.dependsOn.map((i) => stageLabel(view.stages.find((s) => s.index === i) ?? { index: i })).join(', ')}` : '';
    const platform = stage.platform ? ` --platform=${stage.platform}` : '';
    lines.push('', `stage ${stageLabel(stage)}: FROM ${baseText(stage, view)}${platform}${needs}`);
    stage.steps.forEach((step, i) => lines.push(`  [${i + 1}/${stage.steps.length}] line ${step.line}: ${step.expanded}`));
  }
  if (view.warnings.length > 0) lines.push('', ...view.warnings.map((warning) => formatWarning(warning, file)));
  return lines.join('\n') + '\n';
}
