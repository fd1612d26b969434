import { expect } from 'chai';
import { DockerfileError } from '../../lib/errors.js';
import { planBuild, platformArgs, formatPlatform, type BuildPlan, type PlanOptions } from '../../parser/plan.js';
import { parseDockerfile } from '../../parser/stages.js';

const HOST = { os: 'linux', architecture: 'amd64' };

function plan(text: string, options: Partial<PlanOptions> = {}): BuildPlan {
  return planBuild(parseDockerfile(text), { platform: HOST, ...options });
}

function planError(text: string, options: Partial<PlanOptions> = {}): DockerfileError {
  try {
    plan(text, options);
  } catch (error) {
    expect(error).to.be.instanceOf(DockerfileError);
    return error as DockerfileError;
  }
  throw new Error('planBuild did not fail');
}

/** [stage index, base] of each planned stage. */
function shape(result: BuildPlan): unknown[] {
  return result.stages.map((planned) => [planned.stage.index, planned.base, planned.dependsOn]);
}

describe('planBuild', () => {
  describe('errors (BuildKit texts; the reference builder gave the same for those marked)', () => {
    const cases: { name: string; text: string; options?: Partial<PlanOptions>; message: string; line: number; code: string }[] = [
      { name: 'no stages', text: 'ARG A=1\n', message: 'dockerfile contains no stages to build', line: 1, code: 'E_PLAN' },
      { name: 'unknown target [reference]', text: 'FROM busybox AS foo\nFROM foo\n', options: { target: 'nosuch' }, message: 'target stage "nosuch" could not be found', line: 2, code: 'E_PLAN' },
      { name: 'near target name gets a hint', text: 'FROM busybox AS foo\nFROM foo\n', options: { target: 'fo' }, message: 'target stage "fo" could not be found (did you mean foo?)', line: 2, code: 'E_PLAN' },
      { name: 'an unnamed stage is no target', text: 'FROM busybox\n', options: { target: 'stage-0' }, message: 'target stage "stage-0" could not be found', line: 1, code: 'E_PLAN' },
      { name: 'copy from itself', text: 'FROM busybox AS a\nCOPY --from=a /x /y\n', message: 'circular dependency detected on stage: a', line: 2, code: 'E_PLAN' },
      { name: 'copy from itself by index', text: 'FROM busybox\nCOPY --from=0 /x /y\n', message: 'circular dependency detected on stage: stage-0', line: 2, code: 'E_PLAN' },
      { name: 'mount from itself', text: 'FROM busybox AS a\nRUN --mount=from=a,target=/m true\n', message: 'circular dependency detected on stage: a', line: 2, code: 'E_PLAN' },
      {
        name: 'copy from a later stage [reference]',
        text: 'FROM busybox AS first\nCOPY --from=later /bin/true /x\nFROM busybox AS later\n',
        options: { target: 'first' },
        message: 'cannot copy from stage "later", it needs to be defined before current stage "first"',
        line: 2,
        code: 'E_PLAN',
      },
      {
        name: 'copy from a later stage by index, unnamed current stage',
        text: 'FROM busybox AS x\nFROM busybox\nCOPY --from=2 /a /b\nFROM busybox\nFROM busybox AS t\nCOPY --from=1 /c /d\n',
        options: { target: 't' },
        message: 'cannot copy from stage "2", it needs to be defined before current stage "stage-1"',
        line: 3,
        code: 'E_PLAN',
      },
      {
        name: 'mount from a later stage [reference]',
        text: 'FROM busybox AS first\nRUN --mount=from=later,target=/m true\nFROM busybox AS later\n',
        options: { target: 'first' },
        message: 'cannot mount from stage "later" to "/m", stage needs to be defined before current command',
        line: 2,
        code: 'E_PLAN',
      },
      { name: 'stage index out of range [reference]', text: 'FROM busybox\nCOPY --from=5 /a /b\n', message: 'invalid stage index 5', line: 2, code: 'E_PLAN' },
      { name: 'negative stage index', text: 'FROM busybox\nCOPY --from=-1 /a /b\n', message: 'invalid stage index -1', line: 2, code: 'E_PLAN' },
      {
        name: 'FROM names stages in lower case only [reference]',
        text: 'FROM busybox AS foo\nFROM Foo\n',
        message: 'failed to parse stage name "Foo": invalid reference format: repository name (library/Foo) must be lowercase',
        line: 2,
        code: 'E_INSTRUCTION',
      },
      {
        name: 'unknown --from is an image name [reference]',
        text: 'FROM busybox AS a\nCOPY --from=Later /a /b\n',
        message: 'failed to parse stage name "Later": invalid reference format: repository name (library/Later) must be lowercase',
        line: 2,
        code: 'E_INSTRUCTION',
      },
      { name: 'image names are checked in stages not built', text: 'FROM a:b:c\nFROM busybox\n', message: 'failed to parse stage name "a:b:c": invalid reference format', line: 1, code: 'E_INSTRUCTION' },
      { name: 'blank base', text: 'ARG BLANK=\nFROM ${BLANK} AS foo\n', message: 'base name (${BLANK}) should not be blank', line: 2, code: 'E_INSTRUCTION' },
      { name: 'FROM sees no stage ENV', text: 'FROM busybox\nENV B=x\nFROM $B\n', message: 'base name ($B) should not be blank', line: 3, code: 'E_INSTRUCTION' },
      { name: 'blank platform', text: 'ARG P=\nFROM --platform=$P busybox\n', message: 'empty platform value from expression $P', line: 2, code: 'E_INSTRUCTION' },
      { name: 'global ARG default that fails', text: 'ARG A=${B:?noB}\nFROM busybox\n', message: 'failed to process "${B:?noB}": B: noB', line: 1, code: 'E_EXPANSION' },
      { name: 'FROM that fails to expand', text: 'FROM ${X:?unset}\n', message: 'failed to process "${X:?unset}": X: unset', line: 1, code: 'E_EXPANSION' },
      { name: 'COPY of a URL', text: 'FROM scratch\nCOPY https://example.com/a.txt /\n', message: "source can't be a URL for COPY", line: 2, code: 'E_INSTRUCTION' },
      { name: 'COPY of a quoted URL', text: 'FROM scratch\nCOPY "http://example.com/$F" /\n', message: "source can't be a URL for COPY", line: 2, code: 'E_INSTRUCTION' },
      { name: 'COPY of a Git repository', text: 'FROM scratch\nCOPY https://github.com/moby/buildkit.git /src\n', message: "source can't be a git ref for COPY", line: 2, code: 'E_INSTRUCTION' },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        const error = planError(testCase.text, testCase.options);
        expect(error.message).to.equal(testCase.message);
        expect(error.location.range.start.line).to.equal(testCase.line);
        expect(error.code).to.equal(testCase.code);
      });
    }

    it('names the file in the error location', () => {
      const error = planError('FROM busybox\nCOPY --from=5 /a /b\n', { file: 'build.Dockerfile' });
      expect(error.location.file).to.equal('build.Dockerfile');
      expect(error.located).to.equal('build.Dockerfile:2:1: invalid stage index 5');
    });

    it('fails on a cycle in stages the target does not need (BuildKit checks the whole file)', () => {
      const error = planError('FROM busybox AS a\nCOPY --from=b /x /y\nFROM busybox AS b\nCOPY --from=a /x /y\nFROM busybox AS c\n');
      expect(error.message).to.equal('circular dependency detected on stage: a');
    });

    it('does not fail on a COPY of a URL or a later stage in stages not built [reference]', () => {
      const result = plan('FROM busybox\nCOPY --from=1 /bin/true /x\nCOPY http://example.com/x /\nFROM busybox AS later\n');
      expect(shape(result)).to.deep.equal([[1, { kind: 'image', ref: 'busybox' }, []]]);
    });

    it('lets a build arg override a global default that would fail', () => {
      const result = plan('ARG A=${B:?noB}\nFROM busybox\n', { buildArgs: new Map([['A', 'given']]) });
      expect(result.metaArgs.get('A')).to.equal('given');
    });
  });

  describe('stage graph', () => {
    it('keeps only the stages the target needs, dependencies first', () => {
      const text = [
        'FROM busybox AS base', // 0
        'FROM base AS tools', // 1
        'FROM busybox AS unused', // 2
        'FROM base AS app', // 3
        'COPY --from=tools /t /t',
        'RUN --mount=from=1,target=/m true',
        'FROM scratch AS other', // 4
      ].join('\n');
      const result = plan(text, { target: 'APP' });
      expect(result.target).to.equal(3);
      expect(shape(result)).to.deep.equal([
        [0, { kind: 'image', ref: 'busybox' }, []],
        [1, { kind: 'stage', index: 0 }, [0]],
        [3, { kind: 'stage', index: 0 }, [0, 1]],
      ]);
      expect(result.stages[2]!.imageSources).to.deep.equal(['1']);
    });

    it('defaults to the last stage', () => {
      const result = plan('FROM busybox AS a\nFROM scratch\n');
      expect(result.target).to.equal(1);
      expect(shape(result)).to.deep.equal([[1, { kind: 'scratch' }, []]]);
    });

    it('FROM names only earlier stages; a later name is an image', () => {
      const result = plan('FROM later\nFROM busybox AS later\n', { target: undefined });
      expect(result.stages.map((planned) => planned.base)).to.deep.equal([{ kind: 'image', ref: 'busybox' }]);
      const first = plan('FROM later AS first\nFROM busybox AS later\n', { target: 'first' });
      expect(first.stages[0]!.base).to.deep.equal({ kind: 'image', ref: 'later' });
    });

    it('a stage named scratch shadows the empty image', () => {
      const result = plan('FROM busybox AS scratch\nFROM scratch\n');
      expect(shape(result)).to.deep.equal([
        [0, { kind: 'image', ref: 'busybox' }, []],
        [1, { kind: 'stage', index: 0 }, [0]],
      ]);
    });

    it('resolves repeated stage names to the latest definition', () => {
      const text = 'FROM busybox AS dup\nFROM alpine AS dup\nFROM dup AS x\nCOPY --from=DUP /a /b\n';
      const result = plan(text);
      expect(result.stages.map((planned) => planned.stage.index)).to.deep.equal([1, 2]);
      expect(result.stages[1]!.dependsOn).to.deep.equal([1]);
    });

    it('lists images named by COPY --from and mounts, once each', () => {
      const result = plan('FROM scratch\nCOPY --from=alpine:3 /a /b\nCOPY --from=alpine:3 /c /d\nRUN --mount=from=golang,target=/go true\n');
      expect(result.stages[0]!.imageSources).to.deep.equal(['alpine:3', 'golang']);
      expect(result.stages[0]!.dependsOn).to.deep.equal([]);
    });

    it('takes the dependencies of a base stage ONBUILD triggers', () => {
      const result = plan('FROM busybox AS assets\nFROM busybox AS base\nONBUILD COPY --from=assets /a /a\nFROM base\n');
      expect(shape(result).map((entry) => (entry as unknown[])[0])).to.deep.equal([0, 1, 2]);
      expect(result.stages[2]!.dependsOn).to.deep.equal([1, 0]);
    });

    it('expands FROM and --platform against the global ARGs', () => {
      const result = plan('ARG V=3.19\nARG IMG=alpine:${V}\nFROM --platform=$BUILDPLATFORM $IMG\n', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
      expect(result.stages[0]!.base).to.deep.equal({ kind: 'image', ref: 'alpine:3.19' });
      expect(result.stages[0]!.platform).to.equal('linux/arm64/v8');
    });
  });

  describe('global ARGs', () => {
    it('starts from the platform args and TARGETSTAGE, then the ARGs in order', () => {
      const result = plan('ARG A=1\nARG B=${A}2\nARG C\nFROM busybox AS final\n');
      expect([...result.metaArgs]).to.deep.equal([
        ['BUILDPLATFORM', 'linux/amd64'],
        ['BUILDOS', 'linux'],
        ['BUILDOSVERSION', ''],
        ['BUILDARCH', 'amd64'],
        ['BUILDVARIANT', ''],
        ['TARGETPLATFORM', 'linux/amd64'],
        ['TARGETOS', 'linux'],
        ['TARGETOSVERSION', ''],
        ['TARGETARCH', 'amd64'],
        ['TARGETVARIANT', ''],
        ['TARGETSTAGE', 'final'],
        ['A', '1'],
        ['B', '12'],
      ]);
    });

    const targetStages: [string, string | undefined, string][] = [
      ['FROM busybox\n', undefined, 'default'],
      ['FROM busybox AS Last\n', undefined, 'last'],
      ['FROM busybox AS foo\nFROM foo\n', 'Foo', 'Foo'],
    ];
    for (const [text, target, expected] of targetStages) {
      it(`TARGETSTAGE is ${expected} for target ${String(target)}`, () => {
        expect(plan(text, target !== undefined ? { target } : {}).metaArgs.get('TARGETSTAGE')).to.equal(expected);
      });
    }

    it('takes build arg values raw and lets them override the automatic args', () => {
      const buildArgs = new Map([['A', '$HOME'], ['TARGETARCH', 'riscv64'], ['C', 'c']]);
      const result = plan('ARG A=default\nARG C\nARG D=${TARGETARCH}\nFROM busybox\n', { buildArgs });
      expect(result.metaArgs.get('A')).to.equal('$HOME');
      expect(result.metaArgs.get('C')).to.equal('c');
      expect(result.metaArgs.get('D')).to.equal('riscv64');
      expect(result.metaArgs.get('TARGETPLATFORM')).to.equal('linux/amd64');
    });

    it('leaves out an ARG with no default and no build arg', () => {
      expect(plan('ARG C\nFROM busybox\n').metaArgs.has('C')).to.equal(false);
    });
  });

  describe('unused build args', () => {
    const text = 'ARG GLOBAL\nFROM busybox AS used\nARG INSTAGE\nFROM busybox AS skipped\nARG ONLYSKIPPED\nFROM used\n';
    const buildArgs = new Map(
      ['GLOBAL', 'INSTAGE', 'ONLYSKIPPED', 'NOBODY', 'http_proxy', 'HTTPS_PROXY', 'No_Proxy', 'TARGETOS', 'TARGETSTAGE', 'BUILDKIT_INLINE_CACHE', 'SOURCE_DATE_EPOCH'].map(
        (name) => [name, 'v'],
      ),
    );

    it('lists build args no ARG of the needed stages or the global scope declares', () => {
      const result = plan(text, { buildArgs });
      expect(result.unusedBuildArgs).to.deep.equal(['NOBODY', 'ONLYSKIPPED']);
      expect(result.warnings).to.deep.equal([
        { rule: 'UnusedBuildArg', level: 'warning', message: 'One or more build-args [NOBODY ONLYSKIPPED] were not consumed' },
      ]);
    });

    it('has no warning when everything is consumed', () => {
      const result = plan(text, { buildArgs: new Map([['GLOBAL', '1']]) });
      expect(result.unusedBuildArgs).to.deep.equal([]);
      expect(result.warnings).to.deep.equal([]);
    });
  });
});

describe('platformArgs', () => {
  it('describes the platform for both the build and the target', () => {
    const args = platformArgs({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(Object.fromEntries(args)).to.deep.equal({
      BUILDPLATFORM: 'linux/arm/v7',
      BUILDOS: 'linux',
      BUILDOSVERSION: '',
      BUILDARCH: 'arm',
      BUILDVARIANT: 'v7',
      TARGETPLATFORM: 'linux/arm/v7',
      TARGETOS: 'linux',
      TARGETOSVERSION: '',
      TARGETARCH: 'arm',
      TARGETVARIANT: 'v7',
    });
  });

  it('formats a platform without a variant as os/arch', () => {
    expect(formatPlatform(HOST)).to.equal('linux/amd64');
  });
});
