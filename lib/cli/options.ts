// Flag tables for the CLI. Each command declares its flags once; the same table drives parsing
// (minimist), validation (unknown flags and bad values are usage errors) and `--help`, so the help
// text cannot drift from what the parser accepts.
import minimist from 'minimist';
import { nearestOption } from '../../parser/suggest.js';
import { UsageError } from '../errors.js';

export type FlagType = 'boolean' | 'string' | 'strings';

export interface FlagSpec {
  readonly name: string;
  readonly type: FlagType;
  readonly alias?: string;
  readonly description: string;
  /** How the value is shown in help (`NAME`, `K=V`, `DIR`). */
  readonly value?: string;
  /** Allowed values for a string flag; anything else is a usage error. */
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
}

export interface ParsedFlags {
  readonly positionals: string[];
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
}

/** Flags every command accepts, before or after the subcommand. */
export const globalFlags: readonly FlagSpec[] = [
  { name: 'root', type: 'string', value: 'DIR', description: 'Folder that holds all tsbuild state (default: $TSBUILD_ROOT, else the XDG data folder)' },
  { name: 'help', type: 'boolean', alias: 'h', description: 'Print this help' },
];

/**
 * Parses `argv` against `specs` (plus the global flags); throws UsageError for anything unknown.
 * With `stopEarly`, everything from the first positional on is positional (`run IMAGE ls -l`).
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], stopEarly = false): ParsedFlags {
  const all = [...globalFlags, ...specs];
  const checked = checkFlagForms(argv, all, stopEarly);
  const unknown: string[] = [];
  const key = (spec: FlagSpec) => minimistKey(spec.name);
  const parsed = minimist(checked.map((arg) => protectNoPrefix(arg, all)), {
    string: all.filter((f) => f.type !== 'boolean').map(key),
    boolean: all.filter((f) => f.type === 'boolean').map(key),
    alias: Object.fromEntries(all.filter((f) => f.alias).map((f) => [key(f), f.alias as string])),
    '--': true,
    stopEarly,
    unknown: (arg) => {
      if (arg.startsWith('-') && arg !== '-') unknown.push(arg);
      return !arg.startsWith('-') || arg === '-';
    },
  });
  if (unknown.length > 0) {
    throw new UsageError(`unknown flag: ${unknown[0]}${suggestFlag(unknown[0], all)}`);
  }
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  for (const spec of all) flags[spec.name] = normalizeFlag(spec, parsed[key(spec)]);
  const positionals = [...parsed._.map(String), ...((parsed['--'] as string[] | undefined) ?? [])];
  return { positionals, flags };
}

/** Go's strconv.ParseBool spellings, which docker's flag library accepts in `--flag=VALUE`. */
const BOOLEAN_VALUES = new Map([['1', true], ['t', true], ['T', true], ['TRUE', true], ['true', true], ['True', true], ['0', false], ['f', false], ['F', false], ['FALSE', false], ['false', false], ['False', false]]);

/**
 * What minimist would let through but docker refuses: a flag that needs a value given last with
 * none (`build -f`), and a boolean given a value that is no boolean (`--no-cache=maybe`). Boolean
 * values are spelt `true`/`false` on the way out, since minimist takes anything but "false" as true.
 */
function checkFlagForms(argv: readonly string[], specs: readonly FlagSpec[], stopEarly: boolean): string[] {
  const checked = [...argv];
  for (const [index, arg] of argv.entries()) {
    if (arg === '--' || (stopEarly && !arg.startsWith('-'))) break;
    const match = /^(?:--([^=]+)|-([^-]))(=(.*))?$/.exec(arg);
    const spec = match && specs.find((candidate) => (match[1] !== undefined ? candidate.name === match[1] : candidate.alias === match[2]));
    if (!spec) continue;
    if (spec.type === 'boolean' && match![3] !== undefined) {
      const value = BOOLEAN_VALUES.get(match![4]!);
      if (value === undefined) throw new UsageError(`invalid argument "${match![4]}" for "--${spec.name}" flag: expected true or false`);
      checked[index] = `--${spec.name}=${value}`;
    }
    if (spec.type !== 'boolean' && match![3] === undefined && index === argv.length - 1) {
      throw new UsageError(`flag needs an argument: --${spec.name}${spec.value ? ` ${spec.value}` : ''}`);
    }
  }
  return checked;
}

// minimist reads `--no-x` as "x is false"; Docker has real flags named `--no-cache` and `--no-trunc`,
// so those are renamed on the way in and out.
const noPrefixKey = 'tsbuild-literal-';

function minimistKey(name: string): string {
  return name.startsWith('no-') ? noPrefixKey + name : name;
}

function protectNoPrefix(arg: string, specs: readonly FlagSpec[]): string {
  const match = /^--(no-[^=]+)(=.*)?$/.exec(arg);
  if (!match || !specs.some((spec) => spec.name === match[1])) return arg;
  return `--${noPrefixKey}${match[1]}${match[2] ?? ''}`;
}

function normalizeFlag(spec: FlagSpec, raw: unknown): string | boolean | string[] | undefined {
  if (spec.type === 'boolean') {
    if (raw === undefined) return (spec.default as boolean | undefined) ?? false;
    return raw === 'false' ? false : Boolean(raw);
  }
  const values = raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
  if (spec.type === 'strings') return values;
  if (values.length > 1) throw new UsageError(`flag --${spec.name} given more than once`);
  const value = values[0] ?? (spec.default as string | undefined);
  if (value !== undefined && spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(`invalid value "${value}" for --${spec.name}: expected one of ${spec.choices.join(', ')}`);
  }
  return value;
}

/** ` (did you mean --tag?)` for a misspelt flag, chosen the way the parser picks keyword hints. */
function suggestFlag(arg: string, specs: readonly FlagSpec[]): string {
  const name = arg.replace(/^-+/, '').replace(noPrefixKey, '').split('=')[0]!;
  const nearest = nearestOption(name, specs.map((spec) => spec.name), true);
  return nearest ? ` (did you mean --${nearest}?)` : '';
}

/** Renders the flag table as the OPTIONS section of `--help`. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((spec) => {
    const short = spec.alias ? `-${spec.alias}, ` : '    ';
    const value = spec.type === 'boolean' ? '' : ` ${spec.value ?? 'VALUE'}`;
    const choices = spec.choices ? ` (${spec.choices.join('|')})` : '';
    const repeat = spec.type === 'strings' ? ' (repeatable)' : '';
    return [`  ${short}--${spec.name}${value}`, `${spec.description}${choices}${repeat}`];
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => left.padEnd(width) + right).join('\n');
}
