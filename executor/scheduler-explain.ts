// Why a step missed the cache (`--explain-cache`), and the file lists a record keeps so that a
// later miss can name files. The key input says which part changed (an env value, the parent);
// for a context input it only holds the selection's digest, so the record's file lists
// (cache/context-files.ts) are compared with the current selection to say which files changed,
// were added or were removed: `COPY . /app: src/a.txt changed, src/new.txt added`. A RUN's env
// and build args (NAME=VALUE lists in the key) are compared by name: `build arg VERSION: 1.0 → 2.0`.
// Everything here runs on a miss only: a cache hit never computes or reads a file list.
import { explainKeyChange, type Json } from '../cache/cache-key.js';
import { boundedFileList, explainSelectionChange, fileListJson, parseFileList, type SelectedEntry } from '../cache/context-files.js';
import type { CacheRecord, KeyIndex } from '../cache/key-index.js';
import type { InputDigests } from './scheduler-inputs.js';
import type { StepInput } from './steps/types.js';

/** The context inputs of a step (by their position among its inputs) with every selected entry. */
export type ContextSelections = ReadonlyMap<number, readonly SelectedEntry[]>;

/** Longest step text put in front of a file explanation. */
const LABEL_LENGTH = 80;

/**
 * The selected entries of each context input, when the build can list them. A failure only
 * costs the explanation (the digest pass already decided the key), so it is swallowed.
 */
export async function contextSelections(digests: InputDigests, inputs: readonly StepInput[] | undefined): Promise<ContextSelections> {
  const selections = new Map<number, readonly SelectedEntry[]>();
  if (digests.contextFiles === undefined) return selections;
  for (const [position, input] of (inputs ?? []).entries()) {
    if (input.source !== 'context') continue;
    const entries = await digests.contextFiles(input).catch(() => undefined);
    if (entries !== undefined) selections.set(position, entries);
  }
  return selections;
}

/** The record's `fileLists`: a bounded list per context input. */
export function recordFileLists(selections: ContextSelections): { fileLists?: Json } {
  if (selections.size === 0) return {};
  const lists: { [position: string]: Json } = {};
  for (const [position, entries] of selections) lists[String(position)] = fileListJson(boundedFileList(entries));
  return { fileLists: lists };
}

export interface Miss {
  readonly stepIdentity: string;
  /** The new key input. */
  readonly input: Json;
  /** Whether the cache was consulted (false under --no-cache and --no-cache-filter). */
  readonly useCache: boolean;
  readonly selections: ContextSelections;
  /** The step's instruction text, to label file explanations. */
  readonly text: string;
}

/** What changed since the last record of this step (same stage, position and kind). */
export async function explainMiss(index: KeyIndex, noCache: boolean, miss: Miss): Promise<readonly string[]> {
  const previous = await index.previousForStep(miss.stepIdentity);
  if (previous === undefined) return ['no earlier build of this step'];
  if (!miss.useCache) return [noCache ? '--no-cache' : '--no-cache-filter'];
  const files = await explainFiles(index, previous, miss);
  const assignments = explainAssignments(previous.input, miss.input);
  const rest = explainKeyChange(withOp(withDigests(previous.input, files.explained), assignments.explained, miss.input), miss.input);
  const lines = [...files.lines, ...assignments.lines, ...rest];
  return lines.length > 0 ? lines : ['the record was removed or its layer is missing'];
}

/** Lines naming changed files for each context input whose digest moved; the inputs they explain. */
async function explainFiles(index: KeyIndex, previous: CacheRecord, miss: Miss): Promise<{ lines: string[]; explained: Map<number, Json> }> {
  const lines: string[] = [];
  const explained = new Map<number, Json>();
  const moved = [...miss.selections.keys()].filter((position) => {
    const before = inputDigest(previous.input, position);
    return before !== undefined && before !== inputDigest(miss.input, position);
  });
  if (moved.length === 0) return { lines, explained };
  const stored = (await index.fileLists(previous)) as { [position: string]: Json } | undefined;
  for (const position of moved) {
    const list = parseFileList(stored?.[String(position)]);
    const text = list === undefined ? undefined : explainSelectionChange(list, miss.selections.get(position)!);
    if (text === undefined) continue;
    lines.push(`${label(miss, position)}: ${text}`);
    explained.set(position, inputDigest(miss.input, position)!);
  }
  return { lines, explained };
}

/** The step's text, with the input's paths when the step has several context inputs. */
function label(miss: Miss, position: number): string {
  const firstLine = miss.text.split('\n')[0]!;
  const text = firstLine.length > LABEL_LENGTH ? `${firstLine.slice(0, LABEL_LENGTH - 1)}…` : firstLine;
  if (miss.selections.size <= 1) return text;
  const paths = (inputsOf(miss.input)[position] as { paths?: Json } | undefined)?.paths;
  return `${text} (${Array.isArray(paths) ? paths.join(' ') : `input ${position}`})`;
}

function inputsOf(input: Json): Json[] {
  const inputs = (input as { inputs?: Json } | null)?.inputs;
  return Array.isArray(inputs) ? inputs : [];
}

function inputDigest(input: Json, position: number): Json | undefined {
  const item = inputsOf(input)[position] as { source?: Json; digest?: Json } | undefined;
  return item?.source === 'context' ? item.digest : undefined;
}

/** The old input with the explained inputs' digests set to the new ones, so they are not reported twice. */
function withDigests(input: Json, digests: ReadonlyMap<number, Json>): Json {
  if (digests.size === 0) return input;
  const inputs = inputsOf(input).map((item, position) => (digests.has(position) ? { ...(item as object), digest: digests.get(position)! } : item)) as Json[];
  return { ...(input as { [key: string]: Json }), inputs };
}

/** The key's NAME=VALUE lists, with how an explanation calls them; build args first. */
const ASSIGNMENT_LISTS = [['buildArgs', 'build arg'], ['env', 'env']] as const;

/** Values longer than this are reported as "changed" rather than printed. */
const SHOWN_VALUE_LENGTH = 48;

/**
 * `build arg VERSION: 1.0 → 2.0`, `env DEBUG added: 1`, `env OLD removed (was x)`: the op's
 * NAME=VALUE lists compared by name. A build arg a RUN sees is in its env too: said once.
 */
function explainAssignments(before: Json, after: Json): { lines: string[]; explained: string[] } {
  const lines: string[] = [];
  const explained: string[] = [];
  const said = new Set<string>();
  for (const [field, noun] of ASSIGNMENT_LISTS) {
    const old = assignments(opOf(before)?.[field]);
    const now = assignments(opOf(after)?.[field]);
    if (old === undefined || now === undefined) continue;
    explained.push(field);
    for (const name of [...new Set([...old.keys(), ...now.keys()])].sort()) {
      const change = describeValueChange(old.get(name), now.get(name));
      if (change === undefined || said.has(`${name}${change}`)) continue;
      said.add(`${name}${change}`);
      lines.push(`${noun} ${name}${change}`);
    }
  }
  return { lines, explained };
}

function describeValueChange(before: string | undefined, after: string | undefined): string | undefined {
  if (before === after) return undefined;
  const shown = (value: string): string | undefined => (value.length <= SHOWN_VALUE_LENGTH ? value : undefined);
  if (before === undefined) return shown(after!) === undefined ? ' added' : ` added: ${after}`;
  if (after === undefined) return shown(before) === undefined ? ' removed' : ` removed (was ${before})`;
  return shown(before) !== undefined && shown(after) !== undefined ? `: ${before} → ${after}` : ' changed';
}

/** NAME → VALUE of a list of `NAME=VALUE` strings, or undefined when the value is not one. */
function assignments(value: Json | undefined): Map<string, string> | undefined {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return undefined;
  const map = new Map<string, string>();
  for (const item of value as string[]) {
    const equals = item.indexOf('=');
    map.set(equals < 0 ? item : item.slice(0, equals), equals < 0 ? '' : item.slice(equals + 1));
  }
  return map;
}

function opOf(input: Json): { [key: string]: Json } | undefined {
  const op = (input as { op?: Json } | null)?.op;
  return typeof op === 'object' && op !== null && !Array.isArray(op) ? op : undefined;
}

/** The old input with the named op fields taken from the new one, so they are not reported twice. */
function withOp(input: Json, fields: readonly string[], from: Json): Json {
  const op = opOf(input);
  const source = opOf(from);
  if (fields.length === 0 || op === undefined || source === undefined) return input;
  const patched = { ...op };
  for (const field of fields) patched[field] = source[field]!;
  return { ...(input as { [key: string]: Json }), op: patched };
}
