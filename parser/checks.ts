// BuildKit's Dockerfile lint checks (`docker build --check`): the findings the parser already
// made, the whole-file and FROM checks, and the ones BuildKit makes while converting each stage,
// in file order, each once. `# check=` comments above an instruction silence rules for it;
// checkOutcome applies the file's `# check=skip=...;error=true` directive.
import type { SourceRange } from '../lib/errors.js';
import { defaultBaseFindings, fromArgFindings } from './checks/from-rules.js';
import { dispatchFindings } from './checks/dispatch-rules.js';
import { commentSkips, fileCheckConfig, isSkipped } from './checks/check-config.js';
import { EMPTY_CONTINUATION_MESSAGE, type Finding } from './checks/rules.js';
import { casingFindings, stageNameFindings } from './checks/stage-rules.js';
import type { ParserDirective } from './syntax-tree.js';
import { AUTOMATIC_ARG_NAMES, applyMetaArgs, automaticArgs } from './plan-args.js';
import { resolveBase } from './plan-graph.js';
import type { BuildPlan } from './plan.js';
import { expandWord, envFromEntries } from './shell-words.js';
import type { ParsedDockerfile, Stage } from './stages.js';
import type { BuildWarning } from './warnings.js';

export { parseCheckOptions, fileCheckConfig, type CheckConfig } from './checks/check-config.js';
export { RULES, type LintRule } from './checks/rules.js';
export { looksLikeSecret } from './checks/dispatch-rules.js';
export { imageReferenceError } from './checks/image-reference.js';

// Without a plan the platform is only a placeholder: no check depends on its value.
const PLACEHOLDER_PLATFORM = { os: 'linux', architecture: 'amd64' };
const NO_BUILD_ARGS: ReadonlyMap<string, string> = new Map();

/** The parser's findings, each under the comments of the instruction it is about. */
function parserFindings(parsed: ParsedDockerfile): Finding[] {
  const commentsByLine = new Map<number, readonly string[]>();
  for (const instruction of [...parsed.metaArgs, ...parsed.stages.flatMap((stage) => [stage.from, ...stage.instructions])]) {
    commentsByLine.set(instruction.range.start.line, instruction.comments);
  }
  return parsed.warnings.map((warning) => {
    // BuildKit reports this one file-wide, with a shorter text than the parser prints.
    if (warning.rule === 'NoEmptyContinuation') return { warning: { ...warning, message: EMPTY_CONTINUATION_MESSAGE }, comments: [] };
    return { warning, comments: commentsByLine.get(warning.range?.start.line ?? 0) ?? [] };
  });
}

function tryArgs(compute: () => Map<string, string>): Map<string, string> | undefined {
  try {
    return compute();
  } catch {
    return undefined; // planning reports the failure as an error
  }
}

/** The automatic args of the plan (or placeholders), without any global ARG. */
function automaticArgsOf(parsed: ParsedDockerfile, plan: BuildPlan | undefined): Map<string, string> {
  if (plan) return new Map([...plan.metaArgs].filter(([name]) => AUTOMATIC_ARG_NAMES.has(name)));
  return automaticArgs(PLACEHOLDER_PLATFORM, parsed.stages[parsed.stages.length - 1]?.name ?? '', NO_BUILD_ARGS);
}

function fromFindings(parsed: ParsedDockerfile, plan: BuildPlan | undefined): Finding[] {
  const { stages, metaArgs, escapeToken } = parsed;
  const automatic = automaticArgsOf(parsed, plan);
  const defaults = tryArgs(() => applyMetaArgs(automatic, metaArgs, NO_BUILD_ARGS, escapeToken));
  const args = plan?.metaArgs ?? defaults;
  return [
    ...(defaults ? defaultBaseFindings(stages, defaults, escapeToken) : []),
    ...(args ? fromArgFindings(stages, metaArgs, args, escapeToken) : []),
  ];
}

/** The stage each stage is built on, from the plan or by expanding its FROM here. */
function baseStageResolver(parsed: ParsedDockerfile, plan: BuildPlan | undefined): (stage: Stage) => number | undefined {
  if (plan) {
    const bases = new Map(plan.stages.map((planned) => [planned.stage.index, planned.base]));
    return (stage) => {
      const base = bases.get(stage.index);
      return base?.kind === 'stage' ? base.index : undefined;
    };
  }
  const args = tryArgs(() => applyMetaArgs(automaticArgsOf(parsed, undefined), parsed.metaArgs, NO_BUILD_ARGS, parsed.escapeToken));
  return (stage) => {
    if (!args) return undefined;
    try {
      const image = expandWord(stage.from.image, envFromEntries(args), { escapeToken: parsed.escapeToken }).value;
      const base = resolveBase(image, stage.index, parsed.stages);
      return base.kind === 'stage' ? base.index : undefined;
    } catch {
      return undefined;
    }
  };
}

function startOf(range: SourceRange | undefined): number {
  return range === undefined ? Number.MAX_SAFE_INTEGER : range.start.line * 1e6 + range.start.column;
}

function keyOf(warning: BuildWarning): string {
  const { start, end } = warning.range ?? { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };
  return [warning.rule, warning.message, start.line, start.column, end.line, end.column].join('\0');
}

/** Drops findings silenced by their instruction's comments and repeats; sorts by position (stable). */
function finish(findings: readonly Finding[]): BuildWarning[] {
  const seen = new Set<string>();
  const kept: BuildWarning[] = [];
  for (const { warning, comments } of findings) {
    if (isSkipped(commentSkips(comments), warning.rule)) continue;
    const key = keyOf(warning);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(warning);
  }
  return kept.sort((a, b) => startOf(a.range) - startOf(b.range));
}

/**
 * The lint findings of a Dockerfile, as `docker build --check` reports them: file-ordered, each
 * once, findings without a location (a plan's UnusedBuildArg) last. Without `plan` every stage
 * is checked (as BuildKit does with no target); with one, the conversion-time checks cover the
 * stages it needs and FROM lines are checked against its global ARG values. The file's
 * `# check=` directive is not applied here: pass the result to checkOutcome.
 */
export function lintDockerfile(parsed: ParsedDockerfile, plan?: BuildPlan): BuildWarning[] {
  const { stages, escapeToken } = parsed;
  const converted = plan ? plan.stages.map((planned) => planned.stage) : stages;
  return finish([
    ...parserFindings(parsed),
    ...stageNameFindings(stages),
    ...casingFindings(stages),
    ...fromFindings(parsed, plan),
    ...dispatchFindings(converted, baseStageResolver(parsed, plan), escapeToken),
    ...(plan?.warnings ?? []).map((warning) => ({ warning, comments: [] })),
  ]);
}

/** What the findings mean for the build once the file's `# check=` directive is applied. */
export interface CheckOutcome {
  /** The findings the directive does not skip. */
  readonly warnings: readonly BuildWarning[];
  /** True when the directive says `error=true` and any finding is left. */
  readonly failed: boolean;
  /** BuildKit's error text when `failed`: `lint violation found for rules: A, B`. */
  readonly errorMessage?: string;
}

/**
 * Applies `# check=skip=A,B` / `skip=all` and `error=true` from the file's directives. Throws a
 * DockerfileError (E_SYNTAX, at the directive) when the directive does not parse, as BuildKit
 * fails the build then.
 */
export function checkOutcome(warnings: readonly BuildWarning[], directives: readonly ParserDirective[]): CheckOutcome {
  const config = fileCheckConfig(directives);
  const kept = warnings.filter((warning) => !isSkipped(config, warning.rule));
  if (!config.error || kept.length === 0) return { warnings: kept, failed: false };
  const rules = [...new Set(kept.map((warning) => warning.rule))];
  return { warnings: kept, failed: true, errorMessage: `lint violation found for rules: ${rules.join(', ')}` };
}
