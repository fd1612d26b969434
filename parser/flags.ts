// The `--name[=value]` flags in front of an instruction's arguments, checked the way BuildKit's
// BFlags does: each instruction declares the flags it accepts, and anything else (an unknown
// name, a repeated flag, a missing or malformed value) is an error with BuildKit's wording.
import { DockerfileError, type SourceRange } from '../lib/errors.js';
import { withSuggestion } from './suggest.js';

/** A flag an instruction accepts: a boolean switch, one string, or a repeatable string. */
export interface BoolFlagSpec {
  readonly kind: 'bool';
  readonly default: boolean;
}
export interface StringFlagSpec {
  readonly kind: 'string';
  readonly default: string;
}
export interface StringsFlagSpec {
  readonly kind: 'strings';
}
export type FlagSpec = BoolFlagSpec | StringFlagSpec | StringsFlagSpec;

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type FlagValue<S extends FlagSpec> = S extends { kind: 'bool' } ? boolean : S extends { kind: 'string' } ? string : readonly string[];

/** The value of every declared flag: what was given, else the default (`[]` for repeatable ones). */
export type FlagValues<D extends FlagSpecs> = { readonly [K in keyof D]: FlagValue<D[K]> };

export interface ParsedFlags<D extends FlagSpecs> {
  readonly values: FlagValues<D>;
  /** Names of the flags that appeared, in order of first appearance, even when set to the default. */
  readonly used: readonly string[];
}

export function boolFlag(defaultValue = false): BoolFlagSpec {
  return { kind: 'bool', default: defaultValue };
}

export function stringFlag(defaultValue = ''): StringFlagSpec {
  return { kind: 'string', default: defaultValue };
}

export function stringsFlag(): StringsFlagSpec {
  return { kind: 'strings' };
}

/** Thrown for a malformed flag; the instruction parser adds where it happened. */
function flagError(message: string, range: SourceRange): DockerfileError {
  return new DockerfileError('E_INSTRUCTION', message, range);
}

function readBool(flagName: string, value: string | undefined, range: SourceRange): boolean {
  // A bare `--flag` means true; `--flag=` is a missing value, not an empty one.
  if (value === '') throw flagError(`missing a value on flag: ${flagName}`, range);
  const lowered = value?.toLowerCase() ?? 'true';
  if (lowered === 'true') return true;
  if (lowered === 'false') return false;
  throw flagError(`expecting boolean value for flag ${flagName}, not: ${value}`, range);
}

function initialValues(specs: FlagSpecs): Record<string, boolean | string | string[]> {
  const values: Record<string, boolean | string | string[]> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = spec.kind === 'strings' ? [] : spec.default;
  return values;
}

/**
 * Reads flag words (`--name`, `--name=value`) against the declared specs. A bare `--` ends the
 * flags. Names are case-sensitive; an unknown one gets a "did you mean" hint when one is close.
 */
export function parseFlags<D extends FlagSpecs>(words: readonly string[], specs: D, range: SourceRange): ParsedFlags<D> {
  const values = initialValues(specs);
  const used: string[] = [];
  for (const word of words) {
    if (word === '--') break;
    if (!word.startsWith('--')) throw flagError(`arg should start with -- : ${word}`, range);
    const equals = word.indexOf('=');
    const flagName = equals < 0 ? word : word.slice(0, equals);
    const value = equals < 0 ? undefined : word.slice(equals + 1);
    const name = flagName.slice(2);
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) {
      throw flagError(withSuggestion(`unknown flag: ${flagName}`, name, Object.keys(specs), true), range);
    }
    if (used.includes(name) && spec.kind !== 'strings') throw flagError(`duplicate flag specified: ${flagName}`, range);
    if (!used.includes(name)) used.push(name);
    if (spec.kind === 'bool') {
      values[name] = readBool(flagName, value, range);
      continue;
    }
    if (value === undefined) throw flagError(`missing a value on flag: ${flagName}`, range);
    if (spec.kind === 'string') values[name] = value;
    else (values[name] as string[]).push(value);
  }
  return { values: values as FlagValues<D>, used };
}
