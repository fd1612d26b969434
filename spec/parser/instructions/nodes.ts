// Helpers for instruction specs: syntax nodes from Dockerfile text or built by hand, and a small
// expander over a fixed environment (enough for `$X` and `${X}`; word expansion itself has its own specs).
import { expect } from 'chai';
import { DockerfileError } from '../../../lib/errors.js';
import type { Expander } from '../../../parser/instructions/expander.js';
import { parseSyntax } from '../../../parser/lexer.js';
import type { Heredoc, SyntaxNode } from '../../../parser/syntax-tree.js';

/** The first (or `index`-th) node of a Dockerfile snippet. */
export function nodeOf(text: string, index = 0): SyntaxNode {
  const node = parseSyntax(text).nodes[index];
  if (node === undefined) throw new Error(`no node ${index} in ${JSON.stringify(text)}`);
  return node;
}

export interface NodeFields {
  readonly keyword: string;
  readonly args?: readonly string[];
  readonly flags?: readonly string[];
  readonly json?: boolean;
  readonly heredocs?: readonly Heredoc[];
  readonly original?: string;
  readonly comments?: readonly string[];
  readonly next?: SyntaxNode;
}

/** A node that text may not be able to produce (BuildKit's tests build such ASTs by hand). */
export function syntheticNode(fields: NodeFields): SyntaxNode {
  return {
    keyword: fields.keyword.toLowerCase(),
    keywordAsWritten: fields.keyword,
    flags: fields.flags ?? [],
    args: fields.args ?? [],
    json: fields.json ?? false,
    heredocs: fields.heredocs ?? [],
    ...(fields.next ? { next: fields.next } : {}),
    original: fields.original ?? [fields.keyword, ...(fields.args ?? [])].join(' '),
    range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } },
    comments: fields.comments ?? [],
  };
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Replaces `$X` and `${X}` from `env` (unset gives ''), drops double quotes; records what it was asked. */
export function fakeExpander(env: Readonly<Record<string, string>> = {}): Expander & { calls: string[] } {
  const calls: string[] = [];
  const substitute = (value: string): string =>
    value.replace(VARIABLE, (_, braced: string | undefined, bare: string | undefined) => env[braced ?? bare ?? ''] ?? '');
  return {
    calls,
    word(value, options) {
      calls.push(options?.heredocBody ? `heredoc:${value}` : value);
      return options?.heredocBody ? substitute(value) : substitute(value).replace(/"/g, '');
    },
    words(value) {
      calls.push(`words:${value}`);
      return substitute(value).split(/\s+/).filter((word) => word !== '');
    },
  };
}

/** Runs `act` and returns the DockerfileError it throws (failing the spec when it throws nothing else). */
export function dockerfileErrorOf(act: () => unknown): DockerfileError {
  try {
    act();
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(DockerfileError);
    return error as DockerfileError;
  }
  expect.fail('expected a DockerfileError');
}

/** One row of an instruction table: Dockerfile text (or a hand-built node) and what typing it gives. */
export interface ParseCase {
  readonly name: string;
  readonly text?: string;
  readonly node?: SyntaxNode;
  /** Fields the typed instruction must have (deep equality per field). */
  readonly expected?: Readonly<Record<string, unknown>>;
  /** The exact error message, or a pattern it must match. */
  readonly error?: string | RegExp;
}

function nodeOfCase(testCase: ParseCase): SyntaxNode {
  return testCase.node ?? nodeOf(testCase.text!);
}

/** Declares one `it` per row; `parse` is the instruction's parse function (or parseInstruction). */
export function itParses(cases: readonly ParseCase[], parse: (node: SyntaxNode) => object): void {
  for (const testCase of cases) {
    it(`${testCase.name}: ${JSON.stringify(testCase.text ?? testCase.node?.original)}`, () => {
      if (testCase.error !== undefined) {
        const error = dockerfileErrorOf(() => parse(nodeOfCase(testCase)));
        expect(error.code).to.equal('E_INSTRUCTION');
        if (typeof testCase.error === 'string') expect(error.message).to.equal(testCase.error);
        else expect(error.message).to.match(testCase.error);
        return;
      }
      const instruction = parse(nodeOfCase(testCase)) as Record<string, unknown>;
      for (const [field, value] of Object.entries(testCase.expected ?? {})) {
        expect(instruction[field], field).to.deep.equal(value);
      }
    });
  }
}
