// BuildKit's UndefinedVar check: a `$NAME` that expanded to nothing because NAME is neither in the
// build env nor a declared ARG of the stage, with a "did you mean" from the env's names.
import type { Instruction } from '../parser/instructions/index.js';
import { nearestOption } from '../parser/suggest.js';
import type { BuildWarning } from '../parser/warnings.js';
import { NON_ENV_ARGS } from './steps/arg.js';
import { expansionEnv } from './stage-state.js';
import type { StageState } from './steps/types.js';

type SourceRange = Instruction['range'];

const RULE_URL = 'https://docs.docker.com/go/dockerfile/rule/undefined-var/';
const RULE_DETAIL = 'Variables should be defined before their use';

export function undefinedVarWarning(name: string, suggestion: string | undefined, range: SourceRange): BuildWarning {
  const hint = suggestion === undefined ? '' : ` (did you mean $${suggestion}?)`;
  return { rule: 'UndefinedVar', level: 'warning', message: `Usage of undefined variable '$${name}'${hint}`, detail: RULE_DETAIL, url: RULE_URL, range };
}

/** The onUnmatched hook for one instruction: each name is reported once per instruction. */
export function undefinedVarReporter(state: StageState, range: SourceRange, warn: (warning: BuildWarning) => void): (names: ReadonlySet<string>) => void {
  const declared = new Set(state.args.map((arg) => arg.name));
  const reported = new Set<string>();
  const options = [...expansionEnv(state).keys()];
  return (names) => {
    for (const name of names) {
      if (declared.has(name) || NON_ENV_ARGS.has(name) || reported.has(name)) continue;
      reported.add(name);
      warn(undefinedVarWarning(name, nearestOption(name, options, true), range));
    }
  };
}
