// Matches parsed shell patterns (parser/shell-patterns.ts) against text without backtracking.
// BuildKit compiles patterns to Go regular expressions, whose engine never backtracks; JavaScript's
// does, and a pattern like `*a*a*a*b` would take exponential time on a long value. So we simulate
// the pattern's automaton directly: one set of live states per character, at most (pattern
// length + 1) states each, so a match costs O(text length x pattern length) and never more.
// Every state visit is charged to a PatternMatchBudget so that many large matches in one word
// still end within a bound.
import { ExpansionLimitExceeded } from './shell-expansion-failure.js';
import { ANY_CHARACTER, ANY_RUN, type PatternToken } from './shell-patterns.js';

const NEWLINE = 0x0a;

/**
 * State visits one expansion (one word) may spend matching patterns: far beyond any real
 * Dockerfile (a 100-character pattern against a 100 KB value needs at most 10 million), small
 * enough to finish in well under a second.
 */
export const MAX_PATTERN_MATCH_STEPS = 50_000_000;

export class PatternMatchBudget {
  private remaining: number;

  constructor(readonly limit = MAX_PATTERN_MATCH_STEPS) {
    this.remaining = limit;
  }

  spend(steps: number): void {
    this.remaining -= steps;
    if (this.remaining < 0) {
      throw new ExpansionLimitExceeded(`pattern matching needs more than ${this.limit} steps`);
    }
  }
}

/** Which way a match reads the text: suffix patterns are matched backwards from the end. */
export type ReadDirection = 1 | -1;

/** A match found by a search: UTF-16 offsets, end exclusive. */
export interface PatternMatch {
  readonly start: number;
  readonly end: number;
}

/** The live states after some characters: state j means "the first j tokens have matched". */
class StateList {
  readonly states: Int32Array;
  /** Where the match that reached each state started (searches keep the leftmost). */
  readonly starts: Int32Array;
  size = 0;
  /** The leftmost start among entries in the accepting state, or -1. */
  acceptedStart = -1;

  constructor(capacity: number) {
    this.states = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
  }

  clear(): void {
    this.size = 0;
    this.acceptedStart = -1;
  }
}

/** The automaton of one pattern, reusable for many matches against the same or other texts. */
export class PatternAutomaton {
  private readonly tokens: Int32Array;
  private readonly accepting: number;
  private readonly marks: Float64Array;
  private generation = 0;
  private current: StateList;
  private next: StateList;

  /** `tokens` in reading order: reversed already when the automaton reads backwards. */
  constructor(tokens: readonly PatternToken[], private readonly budget: PatternMatchBudget) {
    // `**` means the same as `*`; merging them keeps the state count down.
    this.tokens = Int32Array.from(tokens.filter((token, i) => token !== ANY_RUN || tokens[i - 1] !== ANY_RUN));
    this.accepting = this.tokens.length;
    this.marks = new Float64Array(this.accepting + 1);
    this.current = new StateList(this.accepting + 1);
    this.next = new StateList(this.accepting + 1);
  }

  /**
   * Length (in UTF-16 units) of the shortest or longest stretch of `text` that starts at `from`,
   * runs in `direction`, and matches the whole pattern; undefined when none does.
   */
  matchAnchored(text: string, from: number, direction: ReadDirection, longest: boolean): number | undefined {
    this.startGeneration(this.current);
    this.addState(this.current, 0, from);
    let position = from;
    let found: number | undefined;
    for (;;) {
      if (this.current.acceptedStart >= 0) {
        found = Math.abs(position - from);
        if (!longest) return found;
      }
      const atEnd = direction > 0 ? position >= text.length : position <= 0;
      if (this.current.size === 0 || atEnd) return found;
      const codePoint = readCodePoint(text, position, direction);
      this.advance(codePoint, Number.MAX_SAFE_INTEGER);
      position += direction * (codePoint > 0xffff ? 2 : 1);
    }
  }

  /**
   * The leftmost match at or after `from`, and the longest one starting there: what Go's
   * regexp finds for BuildKit's pattern, whose `*` is greedy.
   */
  search(text: string, from: number): PatternMatch | undefined {
    this.startGeneration(this.current);
    let best: PatternMatch | undefined;
    let position = from;
    for (;;) {
      // A new attempt may start here only until some match is found: later starts cannot win.
      if (best === undefined) this.addState(this.current, 0, position);
      const accepted = this.current.acceptedStart;
      if (accepted >= 0 && (best === undefined || accepted < best.start || accepted === best.start)) {
        best = { start: accepted, end: position };
      }
      if (position >= text.length || this.current.size === 0) return best;
      const codePoint = readCodePoint(text, position, 1);
      this.advance(codePoint, best?.start ?? Number.MAX_SAFE_INTEGER);
      if (best !== undefined && this.current.size === 0) return best;
      position += codePoint > 0xffff ? 2 : 1;
    }
  }

  /** Moves every live state over one character; states whose start is after `latestStart` die. */
  private advance(codePoint: number, latestStart: number): void {
    const { current, next, tokens } = this;
    this.budget.spend(current.size);
    this.startGeneration(next);
    for (let i = 0; i < current.size; i++) {
      const state = current.states[i]!;
      const start = current.starts[i]!;
      if (state === this.accepting || start > latestStart) continue;
      const token = tokens[state]!;
      if (token === ANY_RUN) {
        if (codePoint !== NEWLINE) this.addState(next, state, start);
      } else if (token === ANY_CHARACTER ? codePoint !== NEWLINE : token === codePoint) {
        this.addState(next, state + 1, start);
      }
    }
    this.current = next;
    this.next = current;
  }

  private startGeneration(list: StateList): void {
    this.generation++;
    list.clear();
  }

  /**
   * Adds a state and, because `*` may match nothing, the states after each `*` it stands on.
   * Lists are filled in order of start, so the first start to reach a state is the leftmost.
   */
  private addState(list: StateList, state: number, start: number): void {
    for (let s = state; s <= this.accepting && this.marks[s] !== this.generation; s++) {
      this.marks[s] = this.generation;
      list.states[list.size] = s;
      list.starts[list.size++] = start;
      if (s === this.accepting && list.acceptedStart < 0) list.acceptedStart = start;
      if (this.tokens[s] !== ANY_RUN) return;
    }
  }
}

/** The code point after `position` (forwards) or before it (backwards); surrogate pairs stay whole. */
function readCodePoint(text: string, position: number, direction: ReadDirection): number {
  if (direction > 0) return text.codePointAt(position) ?? 0;
  const low = text.charCodeAt(position - 1);
  if (low >= 0xdc00 && low <= 0xdfff && position >= 2) {
    const high = text.charCodeAt(position - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}
