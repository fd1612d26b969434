// The conversion cases of the shared corpus (convert/cases.json), run through parse + plan: a case
// that BuildKit converts must plan, one it rejects must fail with its text where one is given.
// Left out here, with the reason:
// - convert-bk-09's image config (labels not carried over by COPY --from): built by the executor.
// - mobyClassicBuilder.buildArgs TestGetAllAllowed: the values a running stage sees (executor dispatch).
// - buildkit.helpers (addEnv, parseKeyValue, proxyEnvFromBuildArgs, healthcheckHistory,
//   sourceDateEpoch) and the other mobyClassicBuilder groups: instruction and executor behaviour,
//   not the stage graph (parseKeyValue and healthcheckHistory run in spec/parser/instructions).
import { expect } from 'chai';
import { DockerfileError } from '../../lib/errors.js';
import { planBuild, type BuildPlan } from '../../parser/plan.js';
import { parseDockerfile } from '../../parser/stages.js';
import { readConformanceJson } from '../support/conformance.js';

interface ConvertCase {
  id: string;
  dockerfile: string;
  target?: string;
  expectSuccess: boolean;
  expectErrorEquals?: string;
  expectImageConfig?: unknown;
}

interface BuildArgsCase {
  test: string;
  options: Record<string, string>;
  metaArgs?: [string, string | null][];
  stageArgs?: [string, string | null][];
  expectedMeta?: Record<string, string>;
  expectedUnusedWarningMentions?: string[];
  expectedUnusedWarningOmits?: string[];
}

interface Corpus {
  buildkit: { cases: ConvertCase[] };
  mobyClassicBuilder: { buildArgs: { cases: BuildArgsCase[] } };
}

const HOST = { os: 'linux', architecture: 'amd64' };
const corpus = readConformanceJson<Corpus>('convert', 'cases.json');

/** What part of a case the plan cannot check, and why. */
const PARTLY_CHECKED: Record<string, string> = {
  'convert-bk-09': 'the image config (labels) is built by the executor; here only the stage graph is checked',
};

function planCase(testCase: ConvertCase): BuildPlan {
  const parsed = parseDockerfile(testCase.dockerfile);
  return planBuild(parsed, { platform: HOST, ...(testCase.target !== undefined ? { target: testCase.target } : {}) });
}

describe('conformance: convert/cases.json buildkit.cases through planBuild', () => {
  it('has the 11 cases this spec expects', () => {
    expect(corpus.buildkit.cases.map((testCase) => testCase.id)).to.have.length(11);
  });

  for (const testCase of corpus.buildkit.cases) {
    const note = PARTLY_CHECKED[testCase.id];
    it(`${testCase.id}: ${JSON.stringify(testCase.dockerfile)}${testCase.target ? ` --target ${testCase.target}` : ''}${note ? ` (${note})` : ''}`, () => {
      if (testCase.expectSuccess) {
        expect(planCase(testCase).stages.length).to.be.greaterThan(0);
        return;
      }
      let failure: unknown;
      try {
        planCase(testCase);
      } catch (error) {
        failure = error;
      }
      expect(failure, 'the case must fail').to.be.instanceOf(DockerfileError);
      if (testCase.expectErrorEquals !== undefined) expect((failure as DockerfileError).message).to.equal(testCase.expectErrorEquals);
    });
  }

  it('convert-bk-09: the consumer stage is built on base and needs sibling', () => {
    const plan = planCase(corpus.buildkit.cases.find((testCase) => testCase.id === 'convert-bk-09')!);
    const consumer = plan.stages.find((planned) => planned.stage.name === 'consumer')!;
    expect(consumer.base).to.deep.equal({ kind: 'stage', index: 0 });
    expect(consumer.dependsOn).to.deep.equal([0, 1]);
  });

  it('convert-bk-03: the target name is matched without regard to case', () => {
    const plan = planCase(corpus.buildkit.cases.find((testCase) => testCase.id === 'convert-bk-03')!);
    expect(plan.target).to.equal(0);
    expect(plan.stages.map((planned) => planned.stage.index)).to.deep.equal([0]);
  });
});

/** A Dockerfile declaring the case's global and stage ARGs (null: no default). */
function argsDockerfile(testCase: BuildArgsCase): string {
  const declare = ([key, value]: [string, string | null]): string => (value === null ? `ARG ${key}` : `ARG ${key}=${value}`);
  return [...(testCase.metaArgs ?? []).map(declare), 'FROM busybox', ...(testCase.stageArgs ?? []).map(declare), ''].join('\n');
}

describe('conformance: convert/cases.json mobyClassicBuilder.buildArgs through planBuild', () => {
  // TestGetAllAllowed is about the values a stage sees while it runs: the executor's dispatch.
  for (const testCase of corpus.mobyClassicBuilder.buildArgs.cases.filter((entry) => entry.test !== 'TestGetAllAllowed')) {
    it(testCase.test, () => {
      const plan = planBuild(parseDockerfile(argsDockerfile(testCase)), { platform: HOST, buildArgs: new Map(Object.entries(testCase.options)) });
      for (const [key, value] of Object.entries(testCase.expectedMeta ?? {})) {
        // Proxy build args are not global ARGs in BuildKit: RUN gets them as proxy settings instead.
        if (key.toLowerCase().endsWith('_proxy')) expect(plan.metaArgs.has(key)).to.equal(false);
        else expect(plan.metaArgs.get(key), key).to.equal(value);
      }
      const message = plan.warnings.map((warning) => warning.message).join('\n');
      for (const name of testCase.expectedUnusedWarningMentions ?? []) expect(message).to.contain(name);
      for (const name of testCase.expectedUnusedWarningOmits ?? []) expect(plan.unusedBuildArgs).to.not.include(name);
    });
  }
});
