import { expect } from 'chai';
import { DockerfileError } from '../../lib/errors.js';
import { checkOutcome, lintDockerfile, parseCheckOptions } from '../../parser/checks.js';
import { planBuild } from '../../parser/plan.js';
import { parseDockerfile } from '../../parser/stages.js';
import type { BuildWarning } from '../../parser/warnings.js';

const HOST = { os: 'linux', architecture: 'amd64' };

/** [rule, message, line] of each finding. */
function lint(text: string): [string, string, number | undefined][] {
  return lintDockerfile(parseDockerfile(text)).map((warning) => [warning.rule, warning.message, warning.range?.start.line]);
}

function rulesOf(text: string): string[] {
  return lint(text).map(([rule]) => rule);
}

describe('lintDockerfile', () => {
  describe('each rule with BuildKit wording', () => {
    const cases: { rule: string; text: string; expected: [string, string, number][] }[] = [
      {
        rule: 'StageNameCasing (from the parser)',
        text: 'FROM busybox AS Build\n',
        expected: [['StageNameCasing', "Stage name 'Build' should be lowercase", 1]],
      },
      {
        rule: 'FromAsCasing (from the parser)',
        text: 'FROM busybox as build\n',
        expected: [['FromAsCasing', "'as' and 'FROM' keywords' casing do not match", 1]],
      },
      {
        rule: 'NoEmptyContinuation (lint text, not the parser text)',
        text: 'FROM busybox\nRUN echo \\\n\n  hi\n',
        expected: [['NoEmptyContinuation', 'Empty continuation line', 4]],
      },
      {
        rule: 'ConsistentInstructionCasing (majority upper)',
        text: 'FROM busybox\nRUN true\nrun false\nCopy a b\n',
        expected: [
          ['ConsistentInstructionCasing', "Command 'run' should match the case of the command majority (uppercase)", 3],
          ['ConsistentInstructionCasing', "Command 'Copy' should match the case of the command majority (uppercase)", 4],
        ],
      },
      {
        rule: 'ConsistentInstructionCasing (majority lower)',
        text: 'from busybox\nrun true\nRUN false\n',
        expected: [['ConsistentInstructionCasing', "Command 'RUN' should match the case of the command majority (lowercase)", 3]],
      },
      {
        rule: 'DuplicateStageName',
        text: 'FROM busybox AS a\nFROM busybox AS a\n',
        expected: [['DuplicateStageName', 'Duplicate stage name "a", stage names should be unique', 2]],
      },
      {
        rule: 'ReservedStageName',
        text: 'FROM busybox AS context\nFROM busybox AS scratch\n',
        expected: [
          ['ReservedStageName', 'Stage name should not use the same name as reserved stage "context"', 1],
          ['ReservedStageName', 'Stage name should not use the same name as reserved stage "scratch"', 2],
        ],
      },
      {
        rule: 'JSONArgsRecommended',
        text: 'FROM busybox\nENTRYPOINT my-app\nCMD serve\n',
        expected: [
          ['JSONArgsRecommended', 'JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals', 2],
          ['JSONArgsRecommended', 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals', 3],
        ],
      },
      {
        rule: 'MaintainerDeprecated (from the parser)',
        text: 'FROM busybox\nMAINTAINER me <me@example.com>\n',
        expected: [['MaintainerDeprecated', 'Maintainer instruction is deprecated in favor of using label', 2]],
      },
      {
        rule: 'UndefinedArgInFrom (with a hint)',
        text: 'ARG VERSION=1\nFROM busybox$VERSON\n',
        expected: [['UndefinedArgInFrom', "FROM argument 'VERSON' is not declared (did you mean VERSION?)", 2]],
      },
      {
        rule: 'UndefinedArgInFrom in --platform',
        text: 'FROM --platform=$PLATFORM busybox\n',
        expected: [['UndefinedArgInFrom', "FROM argument 'PLATFORM' is not declared", 1]],
      },
      {
        rule: 'WorkdirRelativePath',
        text: 'FROM busybox\nWORKDIR app\nWORKDIR other\n',
        expected: [['WorkdirRelativePath', 'Relative workdir "app" can have unexpected results if the base image changes', 2]],
      },
      {
        rule: 'MultipleInstructionsDisallowed (at the ignored one)',
        text: 'FROM busybox\nCMD ["a"]\nHEALTHCHECK NONE\nCMD ["b"]\nhealthcheck NONE\n',
        expected: [
          ['MultipleInstructionsDisallowed', 'Multiple CMD instructions should not be used in the same stage because only the last one will be used', 2],
          ['MultipleInstructionsDisallowed', 'Multiple healthcheck instructions should not be used in the same stage because only the last one will be used', 3],
          ['ConsistentInstructionCasing', "Command 'healthcheck' should match the case of the command majority (uppercase)", 5],
        ],
      },
      {
        rule: 'LegacyKeyValueFormat',
        text: 'FROM busybox\nENV A b\nLABEL k v\nENV C=d\n',
        expected: [
          ['LegacyKeyValueFormat', '"ENV key=value" should be used instead of legacy "ENV key value" format', 2],
          ['LegacyKeyValueFormat', '"LABEL key=value" should be used instead of legacy "LABEL key value" format', 3],
        ],
      },
      {
        rule: 'InvalidDefaultArgInFrom',
        text: 'ARG TAG\nFROM busybox:${TAG}\n',
        expected: [['InvalidDefaultArgInFrom', 'Default value for ARG busybox:${TAG} results in empty or invalid base image name', 2]],
      },
      {
        rule: 'InvalidDefaultArgInFrom with UndefinedArgInFrom',
        text: 'FROM busybox:$NOTAG\n',
        expected: [
          ['InvalidDefaultArgInFrom', 'Default value for ARG busybox:$NOTAG results in empty or invalid base image name', 1],
          ['UndefinedArgInFrom', "FROM argument 'NOTAG' is not declared", 1],
        ],
      },
      {
        rule: 'FromPlatformFlagConstDisallowed',
        text: 'FROM --platform=linux/arm64 busybox AS build\n',
        expected: [['FromPlatformFlagConstDisallowed', 'FROM --platform flag should not use constant value "linux/arm64"', 1]],
      },
      {
        rule: 'RedundantTargetPlatform',
        text: 'FROM --platform=$TARGETPLATFORM busybox\n',
        expected: [['RedundantTargetPlatform', 'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior', 1]],
      },
      {
        rule: 'SecretsUsedInArgOrEnv',
        text: 'FROM busybox\nARG API_KEY\nENV DB_PASSWORD=x GITHUB_TOKEN=y\n',
        expected: [
          ['SecretsUsedInArgOrEnv', 'Do not use ARG or ENV instructions for sensitive data (ARG "API_KEY")', 2],
          ['SecretsUsedInArgOrEnv', 'Do not use ARG or ENV instructions for sensitive data (ENV "DB_PASSWORD")', 3],
          ['SecretsUsedInArgOrEnv', 'Do not use ARG or ENV instructions for sensitive data (ENV "GITHUB_TOKEN")', 3],
        ],
      },
    ];
    for (const testCase of cases) {
      it(testCase.rule, () => {
        expect(lint(testCase.text)).to.deep.equal(testCase.expected);
      });
    }
  });

  describe('details of the rules', () => {
    it('a casing tie goes to upper case', () => {
      expect(lint('from busybox\nRUN true\n')).to.deep.equal([
        ['ConsistentInstructionCasing', "Command 'from' should match the case of the command majority (uppercase)", 1],
      ]);
    });

    it('global ARGs do not vote on casing', () => {
      expect(rulesOf('arg A\narg B\nFROM busybox\n')).to.deep.equal([]);
    });

    it('WORKDIR is reported as expanded (quotes removed)', () => {
      expect(lint('FROM busybox\nWORKDIR "app dir"\n')).to.deep.equal([
        ['WorkdirRelativePath', 'Relative workdir "app dir" can have unexpected results if the base image changes', 2],
      ]);
    });

    it('MultipleInstructionsDisallowed follows the comments of the later instruction', () => {
      expect(rulesOf('FROM busybox\nCMD ["a"]\n# check=skip=MultipleInstructionsDisallowed\nCMD ["b"]\n')).to.deep.equal([]);
      expect(rulesOf('FROM busybox\n# check=skip=MultipleInstructionsDisallowed\nCMD ["a"]\nCMD ["b"]\n')).to.deep.equal(['MultipleInstructionsDisallowed']);
    });

    it('each legacy pair of a LABEL line is one finding', () => {
      expect(rulesOf('FROM busybox\nLABEL a b\nLABEL c=d e=f\n')).to.deep.equal(['LegacyKeyValueFormat']);
    });
  });

  describe('what does not trigger a rule', () => {
    const clean: [string, string][] = [
      ['exec form CMD and ENTRYPOINT', 'FROM busybox\nENTRYPOINT ["a"]\nCMD ["b"]\n'],
      ['shell form after SHELL', 'FROM busybox\nSHELL ["/bin/bash", "-c"]\nCMD echo hi\n'],
      ['shell form in a stage built on one with SHELL', 'FROM busybox AS base\nSHELL ["/bin/sh", "-c"]\nFROM base\nCMD echo hi\n'],
      ['an absolute first WORKDIR, then relative ones', 'FROM busybox\nWORKDIR /app\nWORKDIR sub\n'],
      ['a relative WORKDIR in a stage built on one with an absolute one', 'FROM busybox AS base\nWORKDIR /app\nFROM base\nWORKDIR sub\n'],
      ['a WORKDIR starting with a variable', 'FROM busybox\nWORKDIR $HOME/app\n'],
      ['mixed-case keywords (not self-consistent) do not vote', 'FROM busybox\nRUN a\n'],
      ['names that look like secrets but are allowed', 'FROM busybox\nARG PUBLIC_KEY\nENV KEYBOARD=x SECRET_FILE=y TOKEN_VERSION=1\n'],
      ['declared global ARG, automatic args in FROM', 'ARG BASE\nFROM ${BASE:-busybox}\nFROM --platform=$BUILDPLATFORM busybox\n'],
      ['platform constant matching the stage name', 'FROM --platform=linux/arm64 busybox AS build-arm64\nFROM --platform=linux/amd64 busybox AS linux-build\n'],
      ['one CMD per stage', 'FROM busybox AS a\nCMD ["a"]\nFROM a\nCMD ["b"]\n'],
      ['a FROM naming a stage', 'FROM busybox AS base\nFROM base\n'],
    ];
    for (const [name, text] of clean) {
      it(name, () => {
        expect(lint(text)).to.deep.equal([]);
      });
    }
  });

  describe('comments above an instruction', () => {
    it('skip named rules for that instruction only', () => {
      const text = 'FROM busybox\n# check=skip=JSONArgsRecommended\nCMD a\nENTRYPOINT b\n';
      expect(lint(text)).to.deep.equal([
        ['JSONArgsRecommended', 'JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals', 4],
      ]);
    });

    it('skip=all silences parser findings at that instruction too', () => {
      expect(rulesOf('# a comment\n\n# check=skip=all\nFROM busybox AS Build\nMAINTAINER x\n')).to.deep.equal(['MaintainerDeprecated']);
    });

    it('above FROM they govern the FROM checks of that stage', () => {
      expect(rulesOf('FROM scratch\n# check=skip=UndefinedArgInFrom\nFROM busybox$V\nFROM alpine$W\n')).to.deep.equal(['UndefinedArgInFrom']);
    });

    it('on the first line they are the file directive, not a comment of the first instruction', () => {
      const parsed = parseDockerfile('# check=skip=UndefinedArgInFrom\nFROM busybox$V\n');
      expect(lintDockerfile(parsed).map((warning) => warning.rule)).to.deep.equal(['UndefinedArgInFrom']);
      expect(checkOutcome(lintDockerfile(parsed), parsed.directives).warnings).to.deep.equal([]);
    });

    it('a malformed one is ignored', () => {
      expect(rulesOf('FROM busybox\n# check=nonsense\nCMD a\n')).to.deep.equal(['JSONArgsRecommended']);
    });

    it('do not govern whole-file checks', () => {
      expect(rulesOf('FROM busybox AS a\n# check=skip=DuplicateStageName\nFROM busybox AS a\n')).to.deep.equal(['DuplicateStageName']);
    });
  });

  describe('with a plan', () => {
    const text = 'FROM busybox AS unused\nCMD a\nFROM busybox AS used\nWORKDIR rel\n';

    it('checks all stages without one', () => {
      expect(rulesOf(text)).to.deep.equal(['JSONArgsRecommended', 'WorkdirRelativePath']);
    });

    it('runs conversion checks on the planned stages only, and adds the plan warnings last', () => {
      const parsed = parseDockerfile(text);
      const plan = planBuild(parsed, { platform: HOST, buildArgs: new Map([['NOPE', '1']]) });
      expect(lintDockerfile(parsed, plan).map((warning) => warning.rule)).to.deep.equal(['WorkdirRelativePath', 'UnusedBuildArg']);
    });

    it('checks FROM lines against the plan global ARGs', () => {
      const parsed = parseDockerfile('ARG P=linux/arm64\nFROM --platform=$TARGETPLATFORM busybox\n');
      const plan = planBuild(parsed, { platform: { os: 'linux', architecture: 'arm64' } });
      expect(lintDockerfile(parsed, plan).map((warning) => warning.rule)).to.deep.equal(['RedundantTargetPlatform']);
    });
  });

  it('returns findings in file order, each once, with detail and url', () => {
    const warnings = lintDockerfile(parseDockerfile('FROM busybox AS a\nFROM busybox AS a\nMAINTAINER x\nCMD a\n'));
    expect(warnings.map((warning) => warning.range?.start.line)).to.deep.equal([2, 3, 4]);
    expect(warnings[2]).to.deep.include({
      rule: 'JSONArgsRecommended',
      level: 'warning',
      detail: 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
      url: 'https://docs.docker.com/go/dockerfile/rule/json-args-recommended/',
    });
  });

  it('survives a file the plan would reject', () => {
    expect(rulesOf('ARG A=${B:?x}\nFROM $A\n')).to.deep.equal([]);
    expect(rulesOf('FROM ${X:?y}\nCMD a\n')).to.deep.equal(['JSONArgsRecommended']);
  });
});

describe('checkOutcome', () => {
  const warnings = lintDockerfile(parseDockerfile('FROM busybox\nMAINTAINER x\nCMD a\n'));
  const outcome = (directiveLine: string): ReturnType<typeof checkOutcome> =>
    checkOutcome(warnings, parseDockerfile(`${directiveLine}\nFROM busybox\n`).directives);

  const cases: [string, string[], boolean][] = [
    ['# nothing', ['MaintainerDeprecated', 'JSONArgsRecommended'], false],
    ['# check=skip=MaintainerDeprecated', ['JSONArgsRecommended'], false],
    // The file's directive is read up to its first space, as BuildKit does: only the first rule counts.
    ['# check=skip=MaintainerDeprecated, JSONArgsRecommended', ['JSONArgsRecommended'], false],
    ['# check=skip=MaintainerDeprecated,JSONArgsRecommended', [], false],
    ['# check=skip=all;error=true', [], false],
    ['# check=error=true', ['MaintainerDeprecated', 'JSONArgsRecommended'], true],
    ['# check=skip=JSONArgsRecommended;error=true', ['MaintainerDeprecated'], true],
    ['# check=error=false', ['MaintainerDeprecated', 'JSONArgsRecommended'], false],
    ['# check=experimental=all;error=1', ['MaintainerDeprecated', 'JSONArgsRecommended'], true],
  ];
  for (const [line, rules, failed] of cases) {
    it(line, () => {
      const result = outcome(line);
      expect(result.warnings.map((warning: BuildWarning) => warning.rule)).to.deep.equal(rules);
      expect(result.failed).to.equal(failed);
    });
  }

  it('gives BuildKit error text when failing', () => {
    expect(outcome('# check=error=true').errorMessage).to.equal('lint violation found for rules: MaintainerDeprecated, JSONArgsRecommended');
  });

  const malformed: [string, string][] = [
    ['# check=nonsense', 'failed to parse check options: invalid check option "nonsense"'],
    ['# check=level=high', 'failed to parse check options: invalid check option "level"'],
    ['# check=error=maybe', 'failed to parse check options: failed to parse check option "error=maybe": strconv.ParseBool: parsing "maybe": invalid syntax'],
  ];
  for (const [line, message] of malformed) {
    it(`fails on ${line}`, () => {
      try {
        outcome(line);
        expect.fail('no error');
      } catch (error) {
        expect(error).to.be.instanceOf(DockerfileError);
        expect((error as DockerfileError).message).to.equal(message);
        expect((error as DockerfileError).location.range.start.line).to.equal(1);
      }
    });
  }
});

describe('parseCheckOptions', () => {
  it('reads skip lists with spaces, skip=all and error', () => {
    const config = parseCheckOptions(' skip = A , B ; error = true ');
    expect([...config.skip]).to.deep.equal(['A', 'B']);
    expect(config.error).to.equal(true);
    expect(parseCheckOptions('skip=all').skipAll).to.equal(true);
    expect(parseCheckOptions('').skip.size).to.equal(0);
  });
});
