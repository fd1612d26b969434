// BuildKit's heredoc instruction tests (shared corpus, heredoc/cases.json `instructions.*`): how
// COPY turns heredocs into inline sources and RUN into files, and the heredoc-destination error.
import { expect } from 'chai';
import { commandWords } from '../../../parser/instructions/command-line.js';
import { parseInstruction } from '../../../parser/instructions/index.js';
import { readConformanceJson } from '../../support/conformance.js';
import { dockerfileErrorOf, nodeOf } from './nodes.js';

interface HeredocCorpus {
  instructions: {
    copy: { cases: { dockerfile: string; expected: { destPath: string; sourcePaths: string[]; sourceContents: unknown[] } }[] };
    run: { cases: { dockerfile: string; expected: { prependShell: boolean; cmdLine: string[]; files: unknown[] } }[] };
    errors: { cases: { dockerfile: string; errorContains: string }[] };
  };
}

const { instructions } = readConformanceJson<HeredocCorpus>('heredoc', 'cases.json');

describe('conformance: heredoc/cases.json instructions', () => {
  describe('copy', () => {
    for (const testCase of instructions.copy.cases) {
      it(JSON.stringify(testCase.dockerfile), () => {
        const copy = parseInstruction(nodeOf(testCase.dockerfile));
        if (copy.kind !== 'COPY') expect.fail(`expected COPY, got ${copy.kind}`);
        expect({ destPath: copy.dest, sourcePaths: copy.sources, sourceContents: copy.heredocSources }).to.deep.equal(testCase.expected);
      });
    }
  });

  describe('run', () => {
    for (const testCase of instructions.run.cases) {
      it(JSON.stringify(testCase.dockerfile), () => {
        const run = parseInstruction(nodeOf(testCase.dockerfile));
        if (run.kind !== 'RUN') expect.fail(`expected RUN, got ${run.kind}`);
        const view = { prependShell: run.command.form === 'shell', cmdLine: commandWords(run.command), files: run.files };
        expect(view).to.deep.equal(testCase.expected);
      });
    }
  });

  describe('errors', () => {
    for (const testCase of instructions.errors.cases) {
      it(JSON.stringify(testCase.dockerfile), () => {
        const error = dockerfileErrorOf(() => parseInstruction(nodeOf(testCase.dockerfile)));
        expect(error.message).to.contain(testCase.errorContains);
        expect(error.code).to.equal('E_INSTRUCTION');
      });
    }
  });
});
