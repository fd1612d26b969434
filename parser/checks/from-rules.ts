// Checks on FROM lines, which see only the global ARGs: variables no global ARG declares,
// defaults that leave no valid image name, and constant or redundant `--platform` values.
import { goQuote } from '../syntax-dump.js';
import type { ArgInstruction } from '../instructions/arg.js';
import type { Stage } from '../stages.js';
import { expandWord, envFromEntries, type WordExpansion } from '../shell-words.js';
import { nearestOption } from '../suggest.js';
import { imageReferenceError } from './image-reference.js';
import { parsePlatformSpec } from './platform-spec.js';
import { finding, RULES, type Finding } from './rules.js';

type EscapeToken = '\\' | '`';

function tryExpand(word: string, args: ReadonlyMap<string, string>, escapeToken: EscapeToken): WordExpansion | undefined {
  try {
    return expandWord(word, envFromEntries(args), { escapeToken });
  } catch {
    return undefined; // the plan reports the failure as an error
  }
}

/** Declared global ARG names (with or without a value) and the args defined automatically. */
export function declaredFromArgs(metaArgs: readonly ArgInstruction[], args: ReadonlyMap<string, string>): string[] {
  const names = new Set(args.keys());
  for (const instruction of metaArgs) for (const { key } of instruction.args) names.add(key);
  return [...names];
}

function undefinedArgFindings(stage: Stage, expansion: WordExpansion, declared: readonly string[]): Finding[] {
  return [...expansion.unmatched]
    .filter((name) => !declared.includes(name))
    .map((name) => {
      const suggestion = nearestOption(name, declared, true);
      const message = `FROM argument '${name}' is not declared${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
      return finding(RULES.undefinedArgInFrom, message, stage.from.range, stage.from.comments);
    });
}

function platformFindings(stage: Stage, written: string, expansion: WordExpansion, args: ReadonlyMap<string, string>): Finding[] {
  const { range, comments } = stage.from;
  const { matched, unmatched, value } = expansion;
  if (matched.size === 1 && unmatched.size === 0 && matched.has('TARGETPLATFORM') && value === args.get('TARGETPLATFORM')) {
    const message = `Setting platform to predefined ${written} in FROM is redundant as this is the default behavior`;
    return [finding(RULES.redundantTargetPlatform, message, range, comments)];
  }
  if (matched.size > 0 || unmatched.size > 0) return [];
  const platform = parsePlatformSpec(value);
  const name = stage.name ?? '';
  if (platform === undefined || name.includes(platform.os) || name.includes(platform.architecture)) return [];
  const message = `FROM --platform flag should not use constant value ${goQuote(value)}`;
  return [finding(RULES.fromPlatformFlagConstDisallowed, message, range, comments)];
}

/**
 * UndefinedArgInFrom, RedundantTargetPlatform and FromPlatformFlagConstDisallowed for every stage,
 * governed by the comments above its FROM. `args` are the global ARG values in effect.
 */
export function fromArgFindings(stages: readonly Stage[], metaArgs: readonly ArgInstruction[], args: ReadonlyMap<string, string>, escapeToken: EscapeToken): Finding[] {
  const declared = declaredFromArgs(metaArgs, args);
  const found: Finding[] = [];
  for (const stage of stages) {
    const image = tryExpand(stage.from.image, args, escapeToken);
    if (image) found.push(...undefinedArgFindings(stage, image, declared));
    const written = stage.from.platform;
    if (written === undefined) continue;
    const platform = tryExpand(written, args, escapeToken);
    if (!platform) continue;
    found.push(...undefinedArgFindings(stage, platform, declared));
    found.push(...platformFindings(stage, written, platform, args));
  }
  return found;
}

/**
 * InvalidDefaultArgInFrom: with no build args, every FROM must still name a valid image.
 * `defaultArgs` are the global ARGs from their defaults alone. Stops at the first FROM that does
 * not expand, as BuildKit does.
 */
export function defaultBaseFindings(stages: readonly Stage[], defaultArgs: ReadonlyMap<string, string>, escapeToken: EscapeToken): Finding[] {
  const found: Finding[] = [];
  for (const { from } of stages) {
    const expansion = tryExpand(from.image, defaultArgs, escapeToken);
    if (!expansion) break;
    if (imageReferenceError(expansion.value) === undefined) continue;
    const message = `Default value for ARG ${from.image} results in empty or invalid base image name`;
    found.push(finding(RULES.invalidDefaultArgInFrom, message, from.range));
  }
  return found;
}
