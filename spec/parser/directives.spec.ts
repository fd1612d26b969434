// Parser directives against conformance/parser/cases.json `directives` (BuildKit's directives_test.go).
import { expect } from 'chai';
import { DockerfileSyntaxError } from '../../lib/errors.js';
import { detectSyntax, findDirective, matchDirective, parseDirectives, type DirectiveName } from '../../parser/directives.js';
import { readConformanceJson } from '../support/conformance.js';

interface LookupCase {
  input?: string;
  inputBase64?: string;
  found: boolean;
  ref?: string;
  value?: string;
  cmdline?: string;
  line?: number;
}

interface DirectiveCases {
  parseAll: { cases: { input: string; expected: { name: string; value: string }[] }[] };
  detectSyntax: { cases: LookupCase[] };
  parseDirective: { name: DirectiveName; cases: LookupCase[] };
}

const cases = readConformanceJson<{ directives: DirectiveCases }>('parser', 'cases.json').directives;

function inputOf(testCase: LookupCase): string {
  return testCase.inputBase64 !== undefined ? Buffer.from(testCase.inputBase64, 'base64').toString('utf8') : testCase.input!;
}

function checkLookup(found: ReturnType<typeof detectSyntax>, expected: LookupCase, expectedValue: string | undefined): void {
  if (!expected.found) {
    expect(found).to.equal(undefined);
    return;
  }
  expect(found).to.not.equal(undefined);
  if (expectedValue !== undefined) expect(found!.value).to.equal(expectedValue);
  if (expected.cmdline !== undefined) expect(found!.cmdline).to.equal(expected.cmdline);
  if (expected.line !== undefined) expect(found!.line).to.equal(expected.line);
}

describe('parser/directives: cases.json directives.parseAll', () => {
  for (const { input, expected } of cases.parseAll.cases) {
    it(JSON.stringify(input), () => {
      expect(parseDirectives(input).map(({ name, value }) => ({ name, value }))).to.deep.equal(expected);
    });
  }
});

describe('parser/directives: cases.json directives.detectSyntax', () => {
  for (const testCase of cases.detectSyntax.cases) {
    it(testCase.input !== undefined ? JSON.stringify(testCase.input) : 'UTF-8 BOM', () => {
      checkLookup(detectSyntax(inputOf(testCase)), testCase, testCase.ref);
    });
  }
});

describe('parser/directives: cases.json directives.parseDirective', () => {
  for (const testCase of cases.parseDirective.cases) {
    it(JSON.stringify(testCase.input), () => {
      checkLookup(findDirective(cases.parseDirective.name, inputOf(testCase)), testCase, testCase.value);
    });
  }
});

describe('parser/directives: details', () => {
  it('a repeated directive is an error in parseDirectives, and ignored by lookups', () => {
    const text = '# syntax=a\n# check=x\n# syntax=b\n';
    expect(() => parseDirectives(text)).to.throw(DockerfileSyntaxError, 'only one syntax parser directive can be used');
    expect(findDirective('check', text)?.value).to.equal('x');
  });

  it('matches like BuildKit\'s regular expression', () => {
    expect(matchDirective('escape = ` ')).to.deep.equal({ name: 'escape', value: '`' });
    expect(matchDirective('escape= ')).to.deep.equal({ name: 'escape', value: ' ' });
    expect(matchDirective('escape=')).to.equal(undefined);
    expect(matchDirective('1x=y')).to.equal(undefined);
    expect(matchDirective('syntax: y')).to.equal(undefined);
  });
});
