// The lexer against BuildKit's parser fixtures (conformance/parser) plus located-error and escape
// cases of our own. One `it` per conformance case so a failure names the case.
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { DockerfileSyntaxError } from '../../lib/errors.js';
import { parseSyntax, dumpSyntaxTree } from '../../parser/lexer.js';
import { parseNameValue, parseWords } from '../../parser/instruction-line.js';
import { NOT_STRING_ARRAY_MESSAGE, parseJsonStringArray } from '../../parser/json-args.js';
import { conformancePath, readConformanceJson } from '../support/conformance.js';

interface ParserCases {
  parseWords: { cases: { input: string; expected: string[] }[] };
  lineNumbers: {
    dockerfile: string;
    expected: { root: { startLine: number; endLine: number }; children: { startLine: number; endLine: number }[] };
  };
  emptyContinuationWarnings: {
    dockerfile: string;
    expectedWarningCount: number;
    expectedWarnings: { shortContains: string[]; detailFirstContains?: string }[];
  };
  lineTooLong: { dockerfileTemplate: string; LABEL: { char: string; repeat: number }; expectError: string };
  jsonArrays: {
    valid: { input: string; expected: string[] }[];
    invalidNotStringArray: string[];
    expectedErrorMessage: string;
  };
  nameVal: {
    cases: { instruction: 'ENV' | 'LABEL'; input: string; expectedNodes?: string[]; expectError?: string }[];
  };
}

const cases = readConformanceJson<ParserCases>('parser', 'cases.json');

function syntaxErrorOf(text: string): DockerfileSyntaxError {
  try {
    parseSyntax(text);
  } catch (error) {
    expect(error).to.be.instanceOf(DockerfileSyntaxError);
    return error as DockerfileSyntaxError;
  }
  throw new Error('expected a DockerfileSyntaxError');
}

describe('parser/lexer: BuildKit fixtures (conformance/parser/testfiles)', () => {
  const dir = conformancePath('parser', 'testfiles');
  for (const name of readdirSync(dir).sort()) {
    it(`dumps ${name} byte for byte`, () => {
      const text = readFileSync(`${dir}/${name}/Dockerfile`, 'utf8');
      const expected = readFileSync(`${dir}/${name}/result`, 'utf8');
      expect(dumpSyntaxTree(parseSyntax(text)) + '\n').to.equal(expected);
    });
  }
});

describe('parser/lexer: BuildKit negative fixtures (conformance/parser/testfiles-negative)', () => {
  const dir = conformancePath('parser', 'testfiles-negative');
  for (const name of readdirSync(dir).sort()) {
    it(`rejects ${name}`, () => {
      syntaxErrorOf(readFileSync(`${dir}/${name}/Dockerfile`, 'utf8'));
    });
  }
});

describe('parser/lexer: cases.json', () => {
  describe('lineNumbers', () => {
    const tree = parseSyntax(readFileSync(conformancePath('parser', cases.lineNumbers.dockerfile), 'utf8'));
    const { root, children } = cases.lineNumbers.expected;
    it(`root spans lines ${root.startLine}-${root.endLine}`, () => {
      expect([tree.range.start.line, tree.range.end.line]).to.deep.equal([root.startLine, root.endLine]);
    });
    it(`has ${children.length} children`, () => expect(tree.nodes).to.have.length(children.length));
    children.forEach((child, index) => {
      it(`child ${index} spans lines ${child.startLine}-${child.endLine}`, () => {
        const { range } = tree.nodes[index]!;
        expect([range.start.line, range.end.line]).to.deep.equal([child.startLine, child.endLine]);
      });
    });
  });

  describe('emptyContinuationWarnings', () => {
    const { dockerfile, expectedWarningCount, expectedWarnings } = cases.emptyContinuationWarnings;
    const { warnings } = parseSyntax(dockerfile);
    it(`gives ${expectedWarningCount} warnings`, () => expect(warnings).to.have.length(expectedWarningCount));
    expectedWarnings.forEach((expected, index) => {
      it(`warning ${index} mentions ${JSON.stringify(expected.shortContains.at(-1))}`, () => {
        const warning = warnings[index]!;
        for (const part of expected.shortContains) expect(warning.message).to.contain(part);
        if (expected.detailFirstContains) expect(warning.detail).to.contain(expected.detailFirstContains);
        expect(warning.rule).to.equal('NoEmptyContinuation');
      });
    });
  });

  it('lineTooLong: a line of 65536 bytes fails with the exact message', () => {
    const { dockerfileTemplate, LABEL, expectError } = cases.lineTooLong;
    const error = syntaxErrorOf(dockerfileTemplate.replace('{LABEL}', LABEL.char.repeat(LABEL.repeat)));
    expect(error.message).to.equal(expectError);
    expect(error.location.range.start.line).to.equal(3);
  });

  describe('parseWords', () => {
    for (const { input, expected } of cases.parseWords.cases) {
      it(JSON.stringify(input), () => expect(parseWords(input)).to.deep.equal(expected));
    }
  });

  describe('jsonArrays', () => {
    for (const { input, expected } of cases.jsonArrays.valid) {
      it(`valid ${JSON.stringify(input)}`, () => expect(parseJsonStringArray(input)).to.deep.equal(expected));
    }
    for (const input of cases.jsonArrays.invalidNotStringArray) {
      it(`not a string array ${JSON.stringify(input)}`, () => {
        expect(() => parseJsonStringArray(input)).to.throw(DockerfileSyntaxError, cases.jsonArrays.expectedErrorMessage);
        expect(() => parseSyntax(`CMD ${input}`)).to.throw(DockerfileSyntaxError, cases.jsonArrays.expectedErrorMessage);
      });
    }
  });

  describe('jsonArrays: where Go\'s decoder differs from JSON.parse', () => {
    const nested = (depth: number): string => `["a", ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}]`;
    it('a number too large for a float64 makes it shell form', () => {
      expect(parseJsonStringArray('["a", 1e999]')).to.equal(undefined);
    });
    it('nesting deeper than 10000 makes it shell form; 10000 is still an error', () => {
      expect(parseJsonStringArray(nested(10001))).to.equal(undefined);
      expect(() => parseJsonStringArray(nested(10000))).to.throw(DockerfileSyntaxError);
    });
    it('a lone surrogate escape becomes U+FFFD', () => {
      expect(parseJsonStringArray('["\\ud800x"]')).to.deep.equal(['\uFFFDx']);
    });
  });

  describe('nameVal', () => {
    for (const { instruction, input, expectedNodes, expectError } of cases.nameVal.cases) {
      it(`${instruction} ${input}`, () => {
        if (expectError) expect(() => parseNameValue(instruction, input)).to.throw(DockerfileSyntaxError, expectError);
        else expect(parseNameValue(instruction, input)).to.deep.equal(expectedNodes);
      });
    }
  });
});

describe('parser/lexer: located errors', () => {
  const table: { name: string; text: string; message: string; start: [number, number]; end: [number, number] }[] = [
    { name: 'ENV without value', text: 'FROM a\n  ENV PATH\n', message: 'ENV must have two arguments', start: [2, 3], end: [2, 11] },
    {
      name: 'non-string JSON array across a continuation',
      text: 'FROM a\n\nCMD ["a", \\\n  1]\nRUN x\n',
      message: NOT_STRING_ARRAY_MESSAGE,
      start: [3, 1],
      end: [4, 5],
    },
    { name: 'name=value mix', text: 'FROM a\nLABEL a=b c\n', message: 'Syntax error - can\'t find = in "c". Must be of the form: name=value', start: [2, 1], end: [2, 12] },
    { name: 'unterminated heredoc', text: 'FROM a\nRUN <<EOF\necho\n', message: 'unterminated heredoc', start: [2, 1], end: [3, 5] },
    { name: 'repeated directive', text: '# escape=`\n# escape=\\\nFROM a\n', message: 'only one escape parser directive can be used', start: [2, 1], end: [2, 11] },
    { name: 'invalid escape character', text: '# escape=x\nFROM a\n', message: "invalid escape token 'x' does not match ` or \\", start: [1, 1], end: [1, 11] },
    { name: 'no instructions', text: '# just a comment\n\n', message: 'file with no instructions', start: [2, 1], end: [2, 1] },
    { name: 'long line', text: `FROM a\nRUN ${'x'.repeat(70000)}\nRUN y\n`, message: 'dockerfile line greater than max allowed size of 65535', start: [2, 1], end: [2, 70005] },
  ];
  for (const { name, text, message, start, end } of table) {
    it(name, () => {
      const error = syntaxErrorOf(text);
      expect(error.message).to.equal(message);
      expect(error.code).to.equal('E_SYNTAX');
      const { range } = error.location;
      expect([range.start.line, range.start.column, range.end.line, range.end.column]).to.deep.equal([...start, ...end]);
      expect(error.sourceText).to.equal(text);
    });
  }

  it('accepts a line of exactly 65535 bytes (multi-byte characters counted as UTF-8)', () => {
    const line = `RUN ${'é'.repeat((65535 - 4) / 2)}x`;
    expect(parseSyntax(`FROM a\n${line}\n`).nodes).to.have.length(2);
    syntaxErrorOf(`FROM a\n${line}x\n`);
  });
});

describe('parser/lexer: escape directive and continuations', () => {
  it('a backtick escape continues lines and leaves backslashes alone', () => {
    const tree = parseSyntax('# escape=`\nFROM windows\nRUN dir c:\\ `\n  /s\nCOPY a\\b c:\\\n');
    expect(tree.escapeToken).to.equal('`');
    expect(tree.directives.map((d) => [d.name, d.value, d.range.start.line])).to.deep.equal([['escape', '`', 1]]);
    expect(dumpSyntaxTree(tree)).to.equal('(from "windows")\n(run "dir c:\\\\   /s")\n(copy "a\\\\b" "c:\\\\")');
  });

  it('the escape character escapes quotes in ENV words', () => {
    const tree = parseSyntax('# escape=`\nFROM a\nENV a="x`"y" b=c\n');
    expect(tree.nodes[1]!.args).to.deep.equal(['a', '"x`"y"', '=', 'b', 'c', '=']);
  });

  it('a directive after a comment is an ordinary comment', () => {
    const tree = parseSyntax('# hello\n# escape=`\nFROM a\nRUN x \\\n  y\n');
    expect(tree.escapeToken).to.equal('\\');
    expect(tree.nodes[1]!.args).to.deep.equal(['x   y']);
  });

  it('directive names are case-insensitive and may be indented', () => {
    expect(parseSyntax('  # ESCAPE = `\nFROM a\n').escapeToken).to.equal('`');
  });

  it('an escaped escape character at the end of a line does not continue it', () => {
    expect(parseSyntax('FROM a\nRUN a \\\\\nRUN b\n').nodes).to.have.length(3);
  });

  it('reports syntax and check directives as BuildKit looks them up, after a #! line', () => {
    const tree = parseSyntax('#!/usr/bin/env buildctl\n# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n');
    expect(tree.directives.map((d) => [d.name, d.value, d.range.start.line])).to.deep.equal([
      ['syntax', 'docker/dockerfile:1', 2],
      ['check', 'skip=all', 3],
    ]);
  });

  it('handles CRLF line endings', () => {
    const tree = parseSyntax('FROM a\r\nRUN x \\\r\n  y\r\n');
    expect(dumpSyntaxTree(tree)).to.equal('(from "a")\n(run "x   y")');
  });
});

describe('parser/lexer: nodes', () => {
  it('keeps keyword case, lower-cases keyword, and records columns', () => {
    const node = parseSyntax('FROM a\n   Run  echo hi\n').nodes[1]!;
    expect([node.keyword, node.keywordAsWritten, node.original]).to.deep.equal(['run', 'Run', 'Run  echo hi']);
    expect(node.range).to.deep.equal({ start: { line: 2, column: 4 }, end: { line: 2, column: 16 } });
  });

  it('collects the comments directly above an instruction', () => {
    const tree = parseSyntax('# syntax=x\n# about a\n\n# more\nFROM a\n# reset\n#\n# about b\nARG b\nRUN c\n');
    expect(tree.nodes.map((node) => node.comments)).to.deep.equal([['about a', 'more'], ['about b'], []]);
  });

  it('keeps unknown instructions as nodes with one empty argument, as BuildKit does', () => {
    const node = parseSyntax('FROM a\nFOO bar\n').nodes[1]!;
    expect([node.keyword, node.args]).to.deep.equal(['foo', ['']]);
  });

  it('nests the ONBUILD trigger and attaches its heredoc to the ONBUILD node', () => {
    const node = parseSyntax('FROM a\nONBUILD --x RUN <<EOF\nhi\nEOF\n').nodes[1]!;
    expect([node.keyword, node.flags, node.args]).to.deep.equal(['onbuild', ['--x'], []]);
    expect(node.next).to.include({ keyword: 'run', original: 'RUN <<EOF' });
    expect(node.next!.range.start).to.deep.equal({ line: 2, column: 13 });
    expect(node.heredocs.map((h) => [h.name, h.content])).to.deep.equal([['EOF', 'hi\n']]);
    expect(node.range.end).to.deep.equal({ line: 4, column: 4 });
  });
});

describe('parser/lexer: pathological input stays fast', () => {
  const timed = (text: string): number => {
    const started = process.hrtime.bigint();
    try {
      parseSyntax(text);
    } catch {
      // Only the time matters here.
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
  };

  it('an 8 MB heredoc', () => {
    expect(timed(`FROM a\nRUN <<EOF\n${'line of text\n'.repeat(600_000)}EOF\n`)).to.be.below(5000);
  });

  it('very long continued lines, long runs of spaces, and deep nesting', () => {
    const spaces = ' '.repeat(60000);
    const texts = [
      `FROM a\n${`RUN ${'x '.repeat(30000)}\\\n`.repeat(100)}\n`,
      `# syntax=a${spaces}b\nFROM a${spaces}b\nENV a${spaces}b\nLABEL a=b${spaces}c=d\n`,
      `FROM a\nCMD ${'['.repeat(30000)}\\\n${']'.repeat(30000)}\n`,
      `FROM a\n${'ONBUILD '.repeat(8000)}RUN x\n`,
      `FROM a\nRUN ${'<<A '.repeat(10000)}\n${'A\n'.repeat(10000)}`,
      `FROM a\nRUN <<${'${a:-'.repeat(10000)}\n`,
      `${'# a doc comment\n'.repeat(300000)}FROM a\n`,
    ];
    for (const text of texts) expect(timed(text)).to.be.below(3000);
  });

  it('dumps an absurd ONBUILD chain without exhausting the stack', () => {
    const dump = dumpSyntaxTree(parseSyntax(`${'ONBUILD '.repeat(8000)}RUN x\n`));
    expect(dump.endsWith(`(run "x")${')'.repeat(8000)}`)).to.equal(true);
  });
});
