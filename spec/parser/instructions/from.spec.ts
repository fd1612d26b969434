import { expect } from 'chai';
import { shellExpander } from '../../../parser/instructions/expander.js';
import { expandFrom, parseFrom, type FromInstruction } from '../../../parser/instructions/from.js';
import { parseDockerfile } from '../../../parser/stages.js';
import { envFromEntries } from '../../../parser/shell-words.js';
import { readConformanceJson } from '../../support/conformance.js';
import { dockerfileErrorOf, fakeExpander, itParses, nodeOf } from './nodes.js';

describe('FROM', () => {
  itParses(
    [
      { name: 'image only', text: 'FROM alpine:3.20', expected: { kind: 'FROM', image: 'alpine:3.20', stageName: undefined, platform: undefined } },
      { name: 'named stage, lower-cased', text: 'FROM golang AS Builder', expected: { image: 'golang', stageName: 'builder' } },
      { name: 'AS in any case', text: 'from scratch as base', expected: { stageName: 'base' } },
      { name: 'platform flag', text: 'FROM --platform=$BUILDPLATFORM node AS build', expected: { platform: '$BUILDPLATFORM', stageName: 'build' } },
      { name: 'empty platform is none', text: 'FROM --platform= node', expected: { platform: undefined } },
      { name: 'name with digits, dots, dashes and underscores', text: 'FROM x AS a1-b_c.d', expected: { stageName: 'a1-b_c.d' } },
      { name: 'variables are kept until expansion', text: 'FROM ${IMAGE:-alpine}', expected: { image: '${IMAGE:-alpine}' } },
      { name: 'original is trimmed', text: '  FROM   x  ', expected: { original: 'FROM   x' } },
      { name: 'no image', text: 'FROM', error: 'FROM requires either one or three arguments' },
      { name: 'two words', text: 'FROM a b', error: 'FROM requires either one or three arguments' },
      { name: 'three words without AS', text: 'FROM a IS b', error: 'FROM requires either one or three arguments' },
      { name: 'four words', text: 'FROM a AS b c', error: 'FROM requires either one or three arguments' },
      {
        name: 'name starting with a digit',
        text: 'FROM a AS 1st',
        error: 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
      },
      {
        name: 'name with a symbol, quoted as written',
        text: 'FROM a AS My$Stage',
        error: 'invalid name for build stage: "My$Stage", name can\'t start with a number or contain symbols',
      },
      { name: 'unknown flag', text: 'FROM --platfrom=linux/amd64 a', error: 'unknown flag: --platfrom (did you mean platform?)' },
      { name: 'platform without value', text: 'FROM --platform a', error: 'missing a value on flag: --platform' },
    ],
    parseFrom,
  );

  it('takes the doc comment that starts with the stage name', () => {
    const from = parseFrom(nodeOf('# ignored\n# base the base stage\nFROM x AS base'));
    expect(from.docComment).to.equal('the base stage');
    expect(from.comments).to.deep.equal(['ignored', 'base the base stage']);
  });

  describe('expansion against the global ARGs', () => {
    const from = (text: string): FromInstruction => parseFrom(nodeOf(text));

    it('expands the image and the platform', () => {
      const expanded = expandFrom(from('FROM --platform=$P ${IMG}:1 AS x'), fakeExpander({ P: 'linux/arm64', IMG: 'alpine' }));
      expect(expanded).to.include({ image: 'alpine:1', platform: 'linux/arm64', stageName: 'x' });
    });

    it('refuses an image that expands to nothing', () => {
      const error = dockerfileErrorOf(() => expandFrom(from('FROM ${BLANK} AS foo'), fakeExpander()));
      expect(error.message).to.equal('base name (${BLANK}) should not be blank');
      expect(dockerfileErrorOf(() => expandFrom(from('FROM "" AS foo'), fakeExpander())).message).to.equal('base name ("") should not be blank');
    });

    it('refuses a platform that expands to nothing', () => {
      const error = dockerfileErrorOf(() => expandFrom(from('FROM --platform=$NONE x'), fakeExpander()));
      expect(error.message).to.equal('empty platform value from expression $NONE');
    });

    it('does not change the parsed instruction', () => {
      const parsed = from('FROM $X');
      expandFrom(parsed, fakeExpander({ X: 'y' }));
      expect(parsed.image).to.equal('$X');
    });
  });

  describe('conformance: convert/cases.json blank base names (parse and expand only)', () => {
    interface ConvertCase { id: string; dockerfile: string; expectSuccess: boolean; note?: string }
    const cases = readConformanceJson<{ buildkit: { cases: ConvertCase[] } }>('convert', 'cases.json').buildkit.cases;
    // The other conversion cases (targets, stage graph, COPY of a URL) belong to the plan.
    for (const testCase of cases.filter((entry) => entry.id === 'convert-bk-07' || entry.id === 'convert-bk-08')) {
      it(`${testCase.id}: ${JSON.stringify(testCase.dockerfile)}`, () => {
        const { from } = parseDockerfile(testCase.dockerfile).stages[0]!;
        const globalArgs = shellExpander(envFromEntries([]), { escapeToken: '\\' });
        expect(() => expandFrom(from, globalArgs)).to.throw(/should not be blank/);
      });
    }
  });
});
