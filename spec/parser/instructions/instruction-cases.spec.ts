// BuildKit's instruction tests (shared conformance corpus, instructions/cases.json): typed
// instruction cases, the crash-only robustness grid, the flag parser, JSON args and RUN --device.
import { expect } from 'chai';
import { DockerfileError } from '../../../lib/errors.js';
import { boolFlag, parseFlags, stringFlag, type FlagSpec } from '../../../parser/flags.js';
import { joinShellWords } from '../../../parser/instructions/command-line.js';
import { parseInstruction, type Instruction } from '../../../parser/instructions/index.js';
import { parseRunDevice } from '../../../parser/instructions/run-device.js';
import { parseSyntax } from '../../../parser/lexer.js';
import { parseDockerfile } from '../../../parser/stages.js';
import { readConformanceJson } from '../../support/conformance.js';
import { dockerfileErrorOf, syntheticNode } from './nodes.js';

interface InstructionCase {
  id: string;
  name?: string;
  dockerfile?: string;
  child?: number;
  astInput?: { instruction: string; values: string[]; original?: string; json?: boolean };
  durationFlag?: { flag: string; value: string };
  expectErrorEquals?: string;
  expectErrorContains?: string;
  expectError?: boolean;
  errorContains?: string;
  expected?: Record<string, unknown>;
}

interface FlagCase {
  declare: { name: string; type: 'string' | 'bool'; default: string | boolean }[];
  args: string[];
  expectError: boolean;
  expectedValues?: Record<string, string | boolean>;
  expectedUsed?: string[];
  note?: string;
}

interface Corpus {
  instructionCases: InstructionCase[];
  robustness: { template: string; instructions: string[]; suffixes: string[] };
  flagParsing: { cases: FlagCase[] };
  jsonArgs: { cases: { name: string; args: string[]; json: boolean; expected: string[] }[] };
  runDevice: { cases: { input: string; expected?: { name: string; required: boolean }; expectErrorEquals?: string }[] };
}

const corpus = readConformanceJson<Corpus>('instructions', 'cases.json');

/** The instruction a case describes, typed. */
function typedInstruction(testCase: InstructionCase): Instruction {
  if (testCase.astInput) {
    const { instruction, values, original, json } = testCase.astInput;
    return parseInstruction(syntheticNode({ keyword: instruction, args: values, json: json ?? false, ...(original ? { original } : {}) }));
  }
  if (testCase.durationFlag) {
    const { flag, value } = testCase.durationFlag;
    return parseInstruction(syntheticNode({ keyword: 'HEALTHCHECK', flags: [`--${flag}=${value}`], args: ['CMD', 'true'] }));
  }
  return parseInstruction(parseSyntax(testCase.dockerfile!).nodes[testCase.child ?? 0]!);
}

function expectedError(testCase: InstructionCase): { equals?: string; contains?: string } | undefined {
  if (testCase.expectErrorEquals !== undefined) return { equals: testCase.expectErrorEquals };
  const contains = testCase.expectErrorContains ?? testCase.errorContains;
  if (contains !== undefined) return { contains };
  return testCase.expectError ? {} : undefined;
}

/** instr-021: doc comments on meta ARGs, stages and stage ARGs. */
function checkDocComments(testCase: InstructionCase): void {
  const parsed = parseDockerfile(testCase.dockerfile!);
  const argOf = (instruction: Instruction | undefined, index: number) => {
    expect(instruction?.kind).to.equal('ARG');
    return instruction?.kind === 'ARG' ? instruction.args[index] : undefined;
  };
  const view = (arg: { key: string; docComment?: string } | undefined) => ({ key: arg?.key, docComment: arg?.docComment ?? '' });
  expect(parsed.stages[0]?.docComment).to.equal(testCase.expected!['stages[0].docComment']);
  expect(view(parsed.metaArgs[0]?.args[0])).to.deep.equal(testCase.expected!['metaArgs[0].args[0]']);
  const commands = parsed.stages[0]!.instructions;
  expect(view(argOf(commands[0], 0))).to.deep.equal(testCase.expected!['stages[0].commands[0].args[0]']);
  expect(view(argOf(commands[1], 0))).to.deep.equal(testCase.expected!['stages[0].commands[1].args[0]']);
  expect(view(argOf(commands[1], 1))).to.deep.equal(testCase.expected!['stages[0].commands[1].args[1]']);
}

function checkExpected(testCase: InstructionCase): void {
  if (testCase.expected && 'stages[0].docComment' in testCase.expected) return checkDocComments(testCase);
  const instruction = typedInstruction(testCase);
  const expected = testCase.expected ?? {};
  if ('healthcheck' in expected) {
    expect(instruction.kind).to.equal('HEALTHCHECK');
    if (instruction.kind === 'HEALTHCHECK') expect({ test: instruction.test }).to.deep.equal(expected['healthcheck']);
  }
  if ('type' in expected) expect(instruction.kind).to.equal(expected['type']);
  if ('flagsUsed' in expected) {
    expect(instruction.kind === 'RUN' ? instruction.flagsUsed : undefined).to.deep.equal(expected['flagsUsed']);
  }
}

describe('conformance: instructions/cases.json', () => {
  describe('instructionCases', () => {
    for (const testCase of corpus.instructionCases) {
      it(`${testCase.id}${testCase.name ? ` (${testCase.name})` : ''}: ${JSON.stringify(testCase.dockerfile ?? testCase.astInput ?? testCase.durationFlag)}`, () => {
        const error = expectedError(testCase);
        if (error === undefined) return checkExpected(testCase);
        const thrown = dockerfileErrorOf(() => typedInstruction(testCase));
        expect(thrown.code).to.be.oneOf(['E_INSTRUCTION', 'E_SYNTAX']);
        if (error.equals !== undefined) expect(thrown.message).to.equal(error.equals);
        if (error.contains !== undefined) expect(thrown.message).to.contain(error.contains);
      });
    }
  });

  describe('robustness grid: parses or fails with a typed error, never crashes', () => {
    const { template, instructions, suffixes } = corpus.robustness;
    for (const keyword of instructions) {
      for (const suffix of suffixes) {
        const text = template.replace('{INSTRUCTION}', keyword).replace('{SUFFIX}', suffix);
        it(JSON.stringify(text), () => {
          try {
            parseDockerfile(text);
          } catch (error) {
            expect(error, String(error)).to.be.instanceOf(DockerfileError);
          }
        });
      }
    }
  });

  describe('flagParsing', () => {
    corpus.flagParsing.cases.forEach((testCase, index) => {
      it(`case ${index + 1}: ${JSON.stringify(testCase.args)}${testCase.note ? ` (${testCase.note})` : ''}`, () => {
        const specs: Record<string, FlagSpec> = {};
        for (const flag of testCase.declare) {
          specs[flag.name] = flag.type === 'bool' ? boolFlag(flag.default as boolean) : stringFlag(flag.default as string);
        }
        const range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
        if (testCase.expectError) {
          expect(() => parseFlags(testCase.args, specs, range)).to.throw(DockerfileError);
          return;
        }
        const parsed = parseFlags(testCase.args, specs, range);
        for (const [name, value] of Object.entries(testCase.expectedValues ?? {})) expect(parsed.values[name], name).to.equal(value);
        if (testCase.expectedUsed) expect([...parsed.used].sort()).to.deep.equal([...testCase.expectedUsed].sort());
      });
    });
  });

  describe('jsonArgs', () => {
    for (const testCase of corpus.jsonArgs.cases) {
      it(testCase.name, () => {
        expect(joinShellWords(testCase.args, testCase.json)).to.deep.equal(testCase.expected);
      });
    }
  });

  describe('runDevice', () => {
    for (const testCase of corpus.runDevice.cases) {
      it(JSON.stringify(testCase.input), () => {
        if (testCase.expectErrorEquals !== undefined) {
          expect(() => parseRunDevice(testCase.input)).to.throw(testCase.expectErrorEquals);
          return;
        }
        expect(parseRunDevice(testCase.input)).to.deep.equal(testCase.expected);
      });
    }
  });
});
