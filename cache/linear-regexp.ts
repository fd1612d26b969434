// A linear-time matcher for the regular expressions moby/patternmatcher builds from .dockerignore
// patterns. Those are Go (RE2) expressions, and Docker's behaviour on odd patterns — character
// classes, escapes, a class closed early by a '*' inside it — is whatever Go's regexp package
// makes of that text. So we parse the same text with RE2's rules and run it on a Pike VM
// (Thompson NFA simulation): time O(text × program), no backtracking, like RE2 itself.
// JavaScript's RegExp would backtrack: `*a*a*a*b` against a long name takes exponential time.
//
// Supported: literals, `.`, `^`, `$`, groups, `*` `+` `?` (a lazy `?` suffix is accepted; it
// does not change whether a match exists), classes with ranges, negation, POSIX `[:name:]`,
// `\d \s \w` and their negations, `\a \f \t \n \r \v`, and escaped punctuation. Everything else
// RE2 offers (alternation, counted repetition, `\p{..}`, `\x..`, octal, `\b`, flags) cannot be
// produced from a .dockerignore pattern except through a backslash escape; those are rejected
// as a syntax error rather than half-supported.
import { parseRegexp, type RegexpNode } from './linear-regexp-parse.js';

export { RegexpSyntaxError } from './linear-regexp-parse.js';

const enum Op {
  Char,
  Split,
  Jump,
  BeginText,
  EndText,
  Match,
}

interface Instruction {
  op: Op;
  /** Char: inclusive code point ranges, flattened [lo, hi, lo, hi...]. */
  ranges?: readonly number[];
  negated?: boolean;
  next: number;
  /** Split: the second branch. */
  alt: number;
}

/** A compiled expression. `test` is anchored by the expression's own `^` and `$` only. */
export class LinearRegexp {
  /** Per-instruction stamp of the step that last added it: a thread list is a set. */
  private readonly addedAt: Int32Array;
  private stamp = 0;

  private constructor(private readonly program: readonly Instruction[]) {
    this.addedAt = new Int32Array(program.length).fill(-1);
  }

  /** Throws RegexpSyntaxError when RE2 would reject the expression. */
  static compile(source: string): LinearRegexp {
    const program: Instruction[] = [];
    emit(program, parseRegexp(source));
    program.push({ op: Op.Match, next: -1, alt: -1 });
    return new LinearRegexp(program);
  }

  /** Whether the expression matches somewhere in `text` (RE2's MatchString). */
  test(text: string): boolean {
    return this.matchWithPrefixes(text).whole;
  }

  /**
   * Matches `text` and, in the same pass, every prefix of it that ends just before a
   * `boundary` character: `prefixes` holds their lengths (UTF-16 units), shortest first.
   * Checking a path and all its parent directories this way costs one pass, not one per parent.
   */
  matchWithPrefixes(text: string, boundary?: string): { whole: boolean; prefixes: number[] } {
    const chars = Array.from(text);
    const prefixes: number[] = [];
    let matchedEarly = false; // a match that needs no end of text: every longer text matches too
    let seeds = [0];
    for (let at = 0, offset = 0; ; offset += chars[at].length, at++) {
      const atEnd = at === chars.length;
      const threads = this.closure(seeds, at, atEnd);
      matchedEarly ||= this.hasMatch(threads);
      if (atEnd) return { whole: matchedEarly, prefixes };
      if (chars[at] === boundary && (matchedEarly || this.hasMatch(this.closure(seeds, at, true)))) prefixes.push(offset);
      seeds = this.step(threads, chars[at].codePointAt(0)!);
      seeds.push(0); // unanchored: a new attempt may start at every position
    }
  }

  /**
   * Whether some text that starts with `prefix` and continues past it could match. Used to
   * decide if a directory must be entered because a pattern may match something inside it.
   * Over-approximates only for expressions with a `^` after the start (which match nothing).
   */
  canMatchBeyond(prefix: string): boolean {
    let seeds = [0];
    let at = 0;
    for (const ch of prefix) {
      const threads = this.closure(seeds, at++, false);
      if (this.hasMatch(threads)) return true;
      seeds = this.step(threads, ch.codePointAt(0)!);
      seeds.push(0);
    }
    const threads = this.closure(seeds, at, false);
    return threads.some((pc) => this.program[pc].op === Op.Char || this.program[pc].op === Op.Match);
  }

  private hasMatch(threads: readonly number[]): boolean {
    return threads.some((pc) => this.program[pc].op === Op.Match);
  }

  /** The instructions to continue at after reading `char`, from each thread that accepts it. */
  private step(threads: readonly number[], char: number): number[] {
    const seeds: number[] = [];
    for (const pc of threads) {
      const ins = this.program[pc];
      if (ins.op === Op.Char && classHas(ins, char)) seeds.push(ins.next);
    }
    return seeds;
  }

  /**
   * The threads (Char and Match instructions) reachable from `seeds` without reading a
   * character, at position `at`; `atEnd` says whether `$` holds there. Each instruction is
   * added once, which is what keeps the simulation linear.
   */
  private closure(seeds: readonly number[], at: number, atEnd: boolean): number[] {
    if (this.stamp === 0x7fffffff) {
      this.addedAt.fill(-1); // the stamps would wrap around
      this.stamp = 0;
    }
    const stamp = ++this.stamp;
    const threads: number[] = [];
    const pending = [...seeds].reverse();
    while (pending.length > 0) {
      const pc = pending.pop()!;
      if (this.addedAt[pc] === stamp) continue;
      this.addedAt[pc] = stamp;
      const ins = this.program[pc];
      if (ins.op === Op.Jump) pending.push(ins.next);
      else if (ins.op === Op.Split) pending.push(ins.alt, ins.next);
      else if (ins.op === Op.BeginText) { if (at === 0) pending.push(ins.next); }
      else if (ins.op === Op.EndText) { if (atEnd) pending.push(ins.next); }
      else threads.push(pc);
    }
    return threads;
  }
}

function classHas(ins: Instruction, char: number): boolean {
  const ranges = ins.ranges!;
  let inside = false;
  for (let i = 0; i < ranges.length && !inside; i += 2) inside = ranges[i] <= char && char <= ranges[i + 1];
  return inside !== ins.negated;
}

/** Thompson construction: appends the instructions for `node`, falling through at the end. */
function emit(program: Instruction[], node: RegexpNode): void {
  switch (node.kind) {
    case 'chars':
      program.push({ op: Op.Char, ranges: node.ranges, negated: node.negated, next: program.length + 1, alt: -1 });
      return;
    case 'begin':
    case 'end':
      program.push({ op: node.kind === 'begin' ? Op.BeginText : Op.EndText, next: program.length + 1, alt: -1 });
      return;
    case 'concat':
      for (const part of node.parts) emit(program, part);
      return;
    case 'repeat':
      emitRepeat(program, node.min, node.max, node.body);
  }
}

/** `x*` (min 0, max ∞), `x+` (1, ∞) and `x?` (0, 1). */
function emitRepeat(program: Instruction[], min: 0 | 1, max: 1 | typeof Infinity, body: RegexpNode): void {
  const loopStart = program.length;
  if (min === 1) {
    emit(program, body);
    program.push({ op: Op.Split, next: loopStart, alt: program.length + 1 });
    return;
  }
  const split: Instruction = { op: Op.Split, next: loopStart + 1, alt: -1 };
  program.push(split);
  emit(program, body);
  if (max === Infinity) program.push({ op: Op.Jump, next: loopStart, alt: -1 });
  split.alt = program.length;
}
