// `# check=skip=A,B;error=true`: which lint rules to silence and whether findings fail the build,
// read with BuildKit's rules (linter.ParseLintOptions), from the file's directive or from a
// comment directly above one instruction.
import { DockerfileError, type SourceRange } from '../../lib/errors.js';
import { matchDirective } from '../directives.js';

export interface CheckConfig {
  readonly skipAll: boolean;
  readonly skip: ReadonlySet<string>;
  /** `error=true`: any finding left after skipping fails the build. */
  readonly error: boolean;
}

export const DEFAULT_CHECK_CONFIG: CheckConfig = { skipAll: false, skip: new Set(), error: false };

// Go's strconv.ParseBool.
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function parseGoBool(part: string, value: string): boolean {
  if (GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  throw new Error(`failed to parse check option ${JSON.stringify(part)}: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

function ruleList(value: string): string[] {
  return value.split(',').map((name) => name.trim());
}

/**
 * Parses the value of a `check` directive. Up to three `;`-separated `key=value` options (a third
 * `;` stays in the last value); `experimental` is accepted and ignored. Throws a plain Error with
 * BuildKit's wording for an unknown option or a bad boolean.
 */
export function parseCheckOptions(text: string): CheckConfig {
  const trimmed = text.trim();
  if (trimmed === '') return DEFAULT_CHECK_CONFIG;
  const parts = trimmed.split(';');
  const limited = parts.length > 3 ? [...parts.slice(0, 2), parts.slice(2).join(';')] : parts;
  let skipAll = false;
  let error = false;
  const skip = new Set<string>();
  for (const part of limited) {
    const equals = part.indexOf('=');
    if (equals < 0) throw new Error(`invalid check option ${JSON.stringify(part)}`);
    const key = part.slice(0, equals).trim();
    const value = part.slice(equals + 1).trim();
    if (key === 'skip' && value === 'all') skipAll = true;
    else if (key === 'skip') ruleList(value).forEach((name) => skip.add(name));
    else if (key === 'error') error = parseGoBool(part, value);
    else if (key !== 'experimental') throw new Error(`invalid check option ${JSON.stringify(key)}`);
  }
  return { skipAll, skip, error };
}

/** The file's config from its `check` directive (the value up to the first space, as BuildKit reads it). */
export function fileCheckConfig(directives: readonly { name: string; value: string; range: SourceRange }[]): CheckConfig {
  const directive = directives.find((found) => found.name === 'check');
  if (directive === undefined) return DEFAULT_CHECK_CONFIG;
  try {
    return parseCheckOptions(directive.value.split(' ')[0]!);
  } catch (error) {
    throw new DockerfileError('E_SYNTAX', `failed to parse check options: ${(error as Error).message}`, directive.range, { cause: error });
  }
}

/**
 * The rules silenced by the first `check=` comment above an instruction. A comment that does not
 * parse silences nothing (BuildKit ignores it there), and `error=` only counts at file level.
 */
export function commentSkips(comments: readonly string[]): CheckConfig {
  for (const comment of comments) {
    const directive = matchDirective(comment);
    if (directive === undefined || directive.name.toLowerCase() !== 'check') continue;
    try {
      return { ...parseCheckOptions(directive.value.split(' ')[0]!), error: false };
    } catch {
      return DEFAULT_CHECK_CONFIG;
    }
  }
  return DEFAULT_CHECK_CONFIG;
}

export function isSkipped(config: CheckConfig, rule: string): boolean {
  return config.skipAll || config.skip.has(rule);
}
