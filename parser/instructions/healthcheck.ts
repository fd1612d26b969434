// HEALTHCHECK NONE, or HEALTHCHECK [--interval/--timeout/--start-period/--start-interval=D]
// [--retries=N] CMD command. Never expanded. Durations are Go durations, stored in nanoseconds.
import { formatGoDuration, NANOSECONDS_PER_MILLISECOND, parseGoDuration } from '../durations.js';
import { parseFlags, stringFlag } from '../flags.js';
import { goQuote } from '../syntax-dump.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { joinShellWords } from './command-line.js';
import { instructionBase, instructionError, requireAtLeastOneArgument, type InstructionBase } from './instruction-base.js';

export interface HealthcheckInstruction extends InstructionBase {
  readonly kind: 'HEALTHCHECK';
  /** `NONE` disables any inherited check; else `['CMD', ...exec]` or `['CMD-SHELL', text]`. */
  readonly test: readonly string[] | 'NONE';
  /** Nanoseconds; 0 means "the runtime's default". */
  readonly interval: number;
  readonly timeout: number;
  readonly startPeriod: number;
  readonly startInterval: number;
  /** 0 means "the runtime's default". */
  readonly retries: number;
}

const HEALTHCHECK_FLAGS = {
  interval: stringFlag(),
  timeout: stringFlag(),
  'start-period': stringFlag(),
  'start-interval': stringFlag(),
  retries: stringFlag(),
};

/** A duration flag: empty or zero means default; anything else must be at least 1ms. */
function readInterval(node: SyntaxNode, name: string, value: string): number {
  if (value === '') return 0;
  let nanoseconds: number;
  try {
    nanoseconds = parseGoDuration(value);
  } catch (error) {
    throw instructionError(node, (error as Error).message);
  }
  if (nanoseconds !== 0 && nanoseconds < NANOSECONDS_PER_MILLISECOND) {
    throw instructionError(node, `Interval ${goQuote(name)} cannot be less than 1ms`);
  }
  return nanoseconds;
}

/** Go's strconv.ParseInt(value, 10, 32), then at least 0. */
function readRetries(node: SyntaxNode, value: string): number {
  if (value === '') return 0;
  if (!/^[+-]?[0-9]+$/.test(value)) throw instructionError(node, `strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
  const retries = Number(value);
  if (retries < -(2 ** 31) || retries > 2 ** 31 - 1) {
    throw instructionError(node, `strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  }
  if (retries < 0) throw instructionError(node, `--retries cannot be negative (${retries})`);
  return retries;
}

function readTest(node: SyntaxNode, type: string): string[] {
  if (type !== 'CMD') throw instructionError(node, `Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const command = joinShellWords(node.args.slice(1), node.json);
  if (command.length === 0) throw instructionError(node, 'Missing command after HEALTHCHECK CMD');
  return [node.json ? 'CMD' : 'CMD-SHELL', ...command];
}

export function parseHealthcheck(node: SyntaxNode): HealthcheckInstruction {
  requireAtLeastOneArgument(node, 'HEALTHCHECK');
  const base = { kind: 'HEALTHCHECK' as const, ...instructionBase(node) };
  const type = node.args[0]!.toUpperCase();
  if (type === 'NONE') {
    // Flags are not looked at for NONE, as in BuildKit.
    if (node.args.length !== 1) throw instructionError(node, 'HEALTHCHECK NONE takes no arguments');
    return { ...base, test: 'NONE', interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  }
  const flags = parseFlags(node.flags, HEALTHCHECK_FLAGS, node.range).values;
  const test = readTest(node, type);
  return {
    ...base,
    test,
    interval: readInterval(node, 'interval', flags.interval),
    timeout: readInterval(node, 'timeout', flags.timeout),
    startPeriod: readInterval(node, 'start-period', flags['start-period']),
    startInterval: readInterval(node, 'start-interval', flags['start-interval']),
    retries: readRetries(node, flags.retries),
  };
}

/** The history `created_by` text BuildKit writes: Go's `%+v` of the healthcheck config. */
export function healthcheckHistoryText(instruction: HealthcheckInstruction): string {
  const test = instruction.test === 'NONE' ? ['NONE'] : instruction.test;
  const fields = [
    `Test:[${test.join(' ')}]`,
    `Interval:${formatGoDuration(instruction.interval)}`,
    `Timeout:${formatGoDuration(instruction.timeout)}`,
    `StartPeriod:${formatGoDuration(instruction.startPeriod)}`,
    `StartInterval:${formatGoDuration(instruction.startInterval)}`,
    `Retries:${instruction.retries}`,
  ];
  return `HEALTHCHECK {${fields.join(' ')}}`;
}
