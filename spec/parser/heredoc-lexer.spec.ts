// Heredocs at parser level against conformance/heredoc/cases.json `parser.*` (BuildKit's
// parser_heredoc_test.go). The `instructions.*` part belongs to the typed-instruction specs.
import { expect } from 'chai';
import { DockerfileSyntaxError } from '../../lib/errors.js';
import { chompHeredocContent, heredocMarkersFromLine, parseHeredocMarker } from '../../parser/heredoc-lexer.js';
import { parseSyntax } from '../../parser/lexer.js';
import type { Heredoc } from '../../parser/syntax-tree.js';
import { readConformanceJson } from '../support/conformance.js';

interface HeredocParserCases {
  extract: { dockerfile: string; children: { childIndex: number; label: string; heredocs: Heredoc[] | null }[] };
  jsonFormIgnored: { dockerfile: string; expected: { childIndex: number; heredocs: Heredoc[] | null }[] };
  chomp: { cases: { input: string; expected: string }[] };
  markerWords: { valid: string[]; invalid: string[]; notHeredoc: string[]; expectedName: string };
  markersFromLine: { cases: { line: string; heredocNames: string[] }[] };
}

const cases = readConformanceJson<{ parser: HeredocParserCases }>('heredoc', 'cases.json').parser;

describe('parser/heredoc-lexer: cases.json parser.extract', () => {
  const tree = parseSyntax(cases.extract.dockerfile);
  it('reads 28 instructions', () => expect(tree.nodes).to.have.length(28));
  for (const { childIndex, label, heredocs } of cases.extract.children) {
    it(`child ${childIndex}: ${label}`, () => {
      expect(tree.nodes[childIndex]!.heredocs).to.deep.equal(heredocs ?? []);
    });
  }
});

describe('parser/heredoc-lexer: cases.json parser.jsonFormIgnored', () => {
  const tree = parseSyntax(cases.jsonFormIgnored.dockerfile);
  for (const { childIndex, heredocs } of cases.jsonFormIgnored.expected) {
    it(`child ${childIndex}: ${tree.nodes[childIndex]?.original}`, () => {
      expect(tree.nodes[childIndex]!.json).to.equal(true);
      expect(tree.nodes[childIndex]!.heredocs).to.deep.equal(heredocs ?? []);
    });
  }
});

describe('parser/heredoc-lexer: cases.json parser.chomp', () => {
  for (const { input, expected } of cases.chomp.cases) {
    it(JSON.stringify(input), () => expect(chompHeredocContent(input)).to.equal(expected));
  }
});

describe('parser/heredoc-lexer: cases.json parser.markerWords', () => {
  for (const word of cases.markerWords.valid) {
    it(`valid ${JSON.stringify(word)}`, () => expect(parseHeredocMarker(word)?.name).to.equal(cases.markerWords.expectedName));
  }
  for (const word of cases.markerWords.invalid) {
    it(`invalid ${JSON.stringify(word)}`, () => expect(() => parseHeredocMarker(word)).to.throw(DockerfileSyntaxError));
  }
  for (const word of cases.markerWords.notHeredoc) {
    it(`not a heredoc ${JSON.stringify(word)}`, () => expect(parseHeredocMarker(word)).to.equal(undefined));
  }
});

describe('parser/heredoc-lexer: cases.json parser.markersFromLine', () => {
  // Compared the way upstream compares: each marker returned must carry the expected name at its
  // position. `RUN <<- EOF` returns no marker in BuildKit (its word splitter cuts `<<-` from `EOF`),
  // so an expected name may be left unreturned; extra markers are still a failure.
  for (const { line, heredocNames } of cases.markersFromLine.cases) {
    it(JSON.stringify(line), () => {
      const names = heredocMarkersFromLine(line).map((marker) => marker.name);
      expect(names.length).to.be.at.most(heredocNames.length);
      names.forEach((name, index) => expect(name).to.equal(heredocNames[index]));
    });
  }

  it('RUN <<- EOF has no marker, as in BuildKit', () => {
    expect(heredocMarkersFromLine('RUN <<- EOF')).to.deep.equal([]);
  });
});

describe('parser/heredoc-lexer: marker details', () => {
  const table: [string, { name: string; expand: boolean; chomp: boolean; fileDescriptor: number } | undefined][] = [
    ['3<<-"A B"', { name: 'A B', expand: false, chomp: true, fileDescriptor: 3 }],
    ['<<$EOF', { name: '$EOF', expand: true, chomp: false, fileDescriptor: 0 }],
    ['<<${X:-y}', { name: '${X:-y}', expand: true, chomp: false, fileDescriptor: 0 }],
    ['<<a<b', undefined],
  ];
  for (const [word, expected] of table) {
    it(JSON.stringify(word), () => expect(parseHeredocMarker(word)).to.deep.equal(expected));
  }

  it('a line the shell splitter cannot read has no markers', () => {
    expect(heredocMarkersFromLine('RUN <<EOF "unterminated')).to.deep.equal([]);
  });

  it('heredoc bodies keep CRLF and end at a CRLF terminator; the escape directive does not apply', () => {
    const node = parseSyntax('# escape=`\r\nFROM a\r\nCOPY <<EOF\\ X /x\r\nhi\r\nEOF X\r\n').nodes[1]!;
    expect(node.heredocs).to.deep.equal([{ name: 'EOF X', content: 'hi\r\n', expand: true, chomp: false, fileDescriptor: 0 }]);
  });

  it('a ${v:-...} after << empties the word being built, so BuildKit finds no marker there', () => {
    expect(heredocMarkersFromLine('RUN <<${x:-y} <<EOF')).to.deep.equal([
      { name: 'EOF', expand: true, chomp: false, fileDescriptor: 0 },
    ]);
  });
});
