// RUN --mount=type=...,key=value,...: the mounts a RUN sees. Option values may use variables, so
// BuildKit reads a mount fully only when the RUN is expanded; at parse time it checks just the CSV
// syntax and that `from=` names a stage literally.
import { parseRamSize } from '../byte-size.js';
import { csvFields } from '../csv-fields.js';
import { parseGoBool, parseGoUint32 } from '../go-strconv.js';
import { goQuote } from '../syntax-dump.js';
import { withSuggestion } from '../suggest.js';

export const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
export type MountType = (typeof MOUNT_TYPES)[number];

export const CACHE_SHARING_MODES = ['shared', 'private', 'locked'] as const;
export type CacheSharing = (typeof CACHE_SHARING_MODES)[number];

export interface RunMount {
  readonly type: MountType;
  /** A stage name or index, or an image, to mount from; absent means the build context (bind) or empty (cache). */
  readonly from?: string;
  /** Path inside `from` (`source`, `src`). */
  readonly source?: string;
  /** Where it appears in the container (`target`, `dst`, `destination`). */
  readonly target?: string;
  /** Defaults to true for bind, secret and ssh, false for cache and tmpfs. */
  readonly readOnly: boolean;
  /** tmpfs size limit in bytes; absent means no limit. */
  readonly sizeLimit?: number;
  /** Cache id, or the secret/ssh id. */
  readonly id?: string;
  readonly sharing?: CacheSharing;
  /** secret and ssh only: fail when the secret or agent is not provided. */
  readonly required: boolean;
  /** secret only: expose the secret as this environment variable. */
  readonly env?: string;
  /** File mode (written in octal), uid and gid: cache, secret and ssh only. */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

const ALL_MOUNT_KEYS = [
  'type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode',
  'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env',
];

type MutableMount = { -readonly [K in keyof RunMount]: RunMount[K] };

/** A mount being read: the fields so far, and whether read-only was chosen explicitly. */
interface MountDraft {
  mount: MutableMount;
  readOnlyChosen: boolean;
}

function csvOf(spec: string): string[] {
  try {
    return csvFields(spec);
  } catch (error) {
    throw new Error(`failed to parse csv mounts: ${(error as Error).message}`);
  }
}

/**
 * The parse-time check: CSV syntax, and no variable in `from=` (a `$` is allowed only as the last
 * character). Returns the `from` value, which the plan needs for the stage graph before expansion.
 */
export function checkRunMountSpec(spec: string): { from?: string } {
  let from: string | undefined;
  for (const field of csvOf(spec)) {
    const equals = field.indexOf('=');
    if (equals < 0 || field.slice(0, equals).toLowerCase() !== 'from') continue;
    from = field.slice(equals + 1);
    const dollar = from.indexOf('$');
    if (dollar >= 0 && dollar !== from.length - 1) {
      throw new Error("'from' doesn't support variable expansion, define alias stage instead");
    }
  }
  return from === undefined ? {} : { from };
}

function readBoolOption(key: string, value: string): boolean {
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw new Error(`invalid value for ${key}: ${value}`);
  return parsed;
}

function requireType(draft: MountDraft, key: string, allowed: readonly MountType[]): void {
  if (!allowed.includes(draft.mount.type)) throw new Error(`unexpected key '${key}' for mount type '${draft.mount.type}'`);
}

/** A field without `=`: only the switches may stand alone. */
function applySwitch(draft: MountDraft, key: string, field: string): void {
  if (key === 'readonly' || key === 'ro' || key === 'readwrite' || key === 'rw') {
    draft.mount.readOnly = key === 'readonly' || key === 'ro';
    draft.readOnlyChosen = true;
  } else if (key === 'required') {
    requireType(draft, key, ['secret', 'ssh']);
    draft.mount.required = true;
  } else {
    throw new Error(`invalid field '${field}' must be a key=value pair`);
  }
}

function readChoice<T extends string>(value: string, choices: readonly T[], what: string): T {
  const lowered = value.toLowerCase() as T;
  if (!choices.includes(lowered)) throw new Error(withSuggestion(`unsupported ${what} ${goQuote(value)}`, value, choices, true));
  return lowered;
}

function readNumber(key: string, value: string, base: 8 | 10): number {
  const parsed = parseGoUint32(value, base);
  if (parsed === undefined) throw new Error(`invalid value ${value} for ${key}`);
  return parsed;
}

/** A `key=value` field, value already expanded. */
function applyOption(draft: MountDraft, key: string, value: string, field: string): void {
  const { mount } = draft;
  switch (key) {
    case 'type': mount.type = readChoice(value, MOUNT_TYPES, 'mount type'); return;
    case 'from': mount.from = value; return;
    case 'source': case 'src': mount.source = value; return;
    case 'target': case 'dst': case 'destination': mount.target = value; return;
    case 'readonly': case 'ro': mount.readOnly = readBoolOption(key, value); draft.readOnlyChosen = true; return;
    case 'readwrite': case 'rw': mount.readOnly = !readBoolOption(key, value); draft.readOnlyChosen = true; return;
    case 'required': requireType(draft, key, ['secret', 'ssh']); mount.required = readBoolOption(key, value); return;
    case 'size': applySize(draft, value); return;
    case 'id': mount.id = value; return;
    case 'sharing': mount.sharing = readChoice(value, CACHE_SHARING_MODES, 'sharing value'); return;
    case 'mode': mount.mode = readNumber('mode', value, 8); return;
    case 'uid': mount.uid = readNumber('uid', value, 10); return;
    case 'gid': mount.gid = readNumber('gid', value, 10); return;
    case 'env': mount.env = value; return;
    default: throw new Error(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ALL_MOUNT_KEYS, true));
  }
}

function applySize(draft: MountDraft, value: string): void {
  requireType(draft, 'size', ['tmpfs']);
  const size = parseRamSize(value);
  if (size === undefined) throw new Error(`invalid value for size: ${value}`);
  draft.mount.sizeLimit = size;
}

/** The checks BuildKit makes once every option is read, in its order. */
function validateMount(mount: MutableMount): void {
  if (mount.type !== 'secret' && mount.type !== 'ssh' && mount.type !== 'cache') {
    for (const key of ['mode', 'uid', 'gid'] as const) {
      if (mount[key] !== undefined) throw new Error(`${key} not allowed for ${goQuote(mount.type)} type mounts`);
    }
  }
  if (mount.type === 'secret') {
    if (mount.from) throw new Error('secret mount should not have a from');
    if (mount.sharing) throw new Error('secret mount should not define sharing');
    if (!mount.source && !mount.target && !mount.id) throw new Error('invalid secret mount. one of source, target required');
    if (mount.source && mount.id) throw new Error("both source and id can't be set");
  }
  if (mount.sharing && mount.type !== 'cache') throw new Error(`invalid cache sharing set for ${mount.type} mount`);
}

/**
 * Reads one `--mount` value, expanding each option value with `expand` first. Throws an Error with
 * BuildKit's message; the RUN instruction locates it.
 */
export function parseRunMount(spec: string, expand: (value: string) => string): RunMount {
  const draft: MountDraft = { mount: { type: 'bind', readOnly: true, required: false }, readOnlyChosen: false };
  for (const field of csvOf(spec)) {
    const equals = field.indexOf('=');
    const key = (equals < 0 ? field : field.slice(0, equals)).toLowerCase();
    if (equals < 0) applySwitch(draft, key, field);
    else applyOption(draft, key, expand(field.slice(equals + 1)), field);
  }
  validateMount(draft.mount);
  if (!draft.readOnlyChosen) draft.mount.readOnly = draft.mount.type !== 'cache' && draft.mount.type !== 'tmpfs';
  return dropEmptyFields(draft.mount);
}

/** BuildKit treats an empty string as "not set" for these; so does the typed mount. */
function dropEmptyFields(mount: MutableMount): RunMount {
  const result: MutableMount = { ...mount };
  for (const key of ['from', 'source', 'target', 'id'] as const) if (result[key] === '') delete result[key];
  return result;
}
