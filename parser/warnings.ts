// Findings the front end reports without failing: BuildKit's parser warnings and lint checks.
import type { SourceRange } from '../lib/errors.js';

export type WarningLevel = 'warning' | 'error';

/**
 * One finding. `rule` names the check in BuildKit's vocabulary where one exists
 * (e.g. `MaintainerDeprecated`, `JSONArgsRecommended`), so users can look it up and silence it
 * with `# check=skip=<rule>`.
 */
export interface BuildWarning {
  readonly rule: string;
  readonly level: WarningLevel;
  readonly message: string;
  readonly detail?: string;
  readonly url?: string;
  /** Where in the Dockerfile; absent for findings about build options (e.g. unused --build-arg). */
  readonly range?: SourceRange;
}
