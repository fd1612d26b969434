// The lint rules tsbuild reports, with BuildKit's names, descriptions and documentation links
// (frontend/dockerfile/linter/ruleset.go), and the one shape every finding is built in.
import type { SourceRange } from '../../lib/errors.js';
import type { BuildWarning } from '../warnings.js';

export interface LintRule {
  readonly name: string;
  /** The rule's one-line description (a warning's `detail`). */
  readonly description: string;
  readonly url: string;
}

function rule(name: string, slug: string, description: string): LintRule {
  return { name, description, url: `https://docs.docker.com/go/dockerfile/rule/${slug}/` };
}

export const RULES = {
  consistentInstructionCasing: rule(
    'ConsistentInstructionCasing',
    'consistent-instruction-casing',
    'All commands within the Dockerfile should use the same casing (either upper or lower)',
  ),
  duplicateStageName: rule('DuplicateStageName', 'duplicate-stage-name', 'Stage names should be unique'),
  reservedStageName: rule('ReservedStageName', 'reserved-stage-name', 'Reserved words should not be used as stage names'),
  jsonArgsRecommended: rule(
    'JSONArgsRecommended',
    'json-args-recommended',
    'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
  ),
  undefinedArgInFrom: rule('UndefinedArgInFrom', 'undefined-arg-in-from', 'FROM command must use declared ARGs'),
  workdirRelativePath: rule(
    'WorkdirRelativePath',
    'workdir-relative-path',
    'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  ),
  multipleInstructionsDisallowed: rule(
    'MultipleInstructionsDisallowed',
    'multiple-instructions-disallowed',
    'Multiple instructions of the same type should not be used in the same stage',
  ),
  legacyKeyValueFormat: rule('LegacyKeyValueFormat', 'legacy-key-value-format', 'Legacy key/value format with whitespace separator should not be used'),
  redundantTargetPlatform: rule(
    'RedundantTargetPlatform',
    'redundant-target-platform',
    'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
  ),
  secretsUsedInArgOrEnv: rule('SecretsUsedInArgOrEnv', 'secrets-used-in-arg-or-env', 'Sensitive data should not be used in the ARG or ENV commands'),
  invalidDefaultArgInFrom: rule(
    'InvalidDefaultArgInFrom',
    'invalid-default-arg-in-from',
    'Default value for global ARG results in an empty or invalid base image name',
  ),
  fromPlatformFlagConstDisallowed: rule(
    'FromPlatformFlagConstDisallowed',
    'from-platform-flag-const-disallowed',
    'FROM --platform flag should not use a constant value',
  ),
} as const;

/** The text BuildKit's lint output uses for NoEmptyContinuation (the parser's own text is longer). */
export const EMPTY_CONTINUATION_MESSAGE = 'Empty continuation line';

/**
 * A finding and the comment lines that govern it: `# check=skip=...` directly above an
 * instruction silences rules for the checks BuildKit runs on that instruction.
 */
export interface Finding {
  readonly warning: BuildWarning;
  readonly comments: readonly string[];
}

export function finding(lintRule: LintRule, message: string, range: SourceRange, comments: readonly string[] = []): Finding {
  const { name, description, url } = lintRule;
  return { warning: { rule: name, level: 'warning', message, detail: description, url, range }, comments };
}

/** The keyword as the user wrote it (`from`, `Run`): the first word of the instruction's text. */
export function keywordAsWritten(original: string): string {
  return /^\S*/.exec(original)![0];
}
