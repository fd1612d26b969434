import { expect } from 'chai';
import { DockerfileError } from '../../lib/errors.js';
import { parseDockerfile, parseOnbuildTrigger } from '../../parser/stages.js';

describe('parseDockerfile', () => {
  it('groups instructions into stages after the global ARGs', () => {
    const parsed = parseDockerfile('ARG BASE=alpine\nARG V\nFROM $BASE AS build\nRUN make\nFROM scratch\nCOPY --from=build /out /\n');
    expect(parsed.metaArgs.map((arg) => arg.args)).to.deep.equal([[{ key: 'BASE', value: 'alpine' }], [{ key: 'V' }]]);
    expect(parsed.stages.map((stage) => [stage.index, stage.name, stage.from.image, stage.instructions.map((i) => i.kind)])).to.deep.equal([
      [0, 'build', '$BASE', ['RUN']],
      [1, undefined, 'scratch', ['COPY']],
    ]);
    expect(parsed.escapeToken).to.equal('\\');
  });

  it('keeps ARGs after the first FROM inside the stage', () => {
    const parsed = parseDockerfile('FROM a\nARG X\n');
    expect(parsed.metaArgs).to.deep.equal([]);
    expect(parsed.stages[0]!.instructions[0]!.kind).to.equal('ARG');
  });

  it('reports the escape directive and the parser directives', () => {
    const parsed = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN echo `\n  hi\n');
    expect(parsed.escapeToken).to.equal('`');
    expect(parsed.directives.map((directive) => directive.name)).to.deep.equal(['syntax', 'escape']);
  });

  it('refuses instructions before the first FROM other than ARG', () => {
    try {
      parseDockerfile('ARG A\nRUN true\nFROM a\n', { file: 'Dockerfile.dev' });
      expect.fail('no error');
    } catch (error) {
      expect(error).to.be.instanceOf(DockerfileError);
      const located = error as DockerfileError;
      expect(located.message).to.equal('no build stage in current context');
      expect(located.location.file).to.equal('Dockerfile.dev');
      expect(located.location.range.start.line).to.equal(2);
      expect(located.sourceText).to.contain('RUN true');
    }
  });

  it('attributes instruction and syntax errors to the file', () => {
    expect(() => parseDockerfile('FROM a\nCOPY x\n', { file: 'df' })).to.throw(DockerfileError).with.nested.property('location.file', 'df');
    expect(() => parseDockerfile('', { file: 'df' })).to.throw(DockerfileError).with.property('code', 'E_SYNTAX');
  });

  it('a file of only ARGs has no stages (the plan reports that)', () => {
    expect(parseDockerfile('ARG A\n').stages).to.deep.equal([]);
  });

  it('adds the parse-time lint findings in file order', () => {
    const parsed = parseDockerfile('FROM a AS Base\nMAINTAINER me\nfrom b AS c\nFROM x\n');
    expect(parsed.warnings.map((warning) => [warning.rule, warning.message, warning.range?.start.line])).to.deep.equal([
      ['StageNameCasing', "Stage name 'Base' should be lowercase", 1],
      ['MaintainerDeprecated', 'Maintainer instruction is deprecated in favor of using label', 2],
      ['FromAsCasing', "'AS' and 'from' keywords' casing do not match", 3],
    ]);
  });

  it('keeps the lexer warnings', () => {
    const parsed = parseDockerfile('FROM a\nRUN echo \\\n\n  hi\n');
    expect(parsed.warnings.map((warning) => warning.rule)).to.deep.equal(['NoEmptyContinuation']);
  });

  it('gives stage doc comments', () => {
    const parsed = parseDockerfile('# build compiles the app\nFROM golang AS build\n');
    expect(parsed.stages[0]!.docComment).to.equal('compiles the app');
  });
});

describe('parseOnbuildTrigger', () => {
  const range = { start: { line: 7, column: 1 }, end: { line: 7, column: 10 } };

  it('parses a stored trigger, heredocs included', () => {
    const trigger = parseOnbuildTrigger('RUN <<EOF\necho hi\nEOF', range);
    expect(trigger).to.deep.include({ kind: 'RUN', files: [{ name: 'EOF', data: 'echo hi\n', chomp: false }] });
  });

  it('reports errors at the child FROM', () => {
    expect(() => parseOnbuildTrigger('RUN --bogus x', range)).to.throw('unknown flag: --bogus').with.nested.property('location.range', range);
    expect(() => parseOnbuildTrigger('RUN a\nRUN b', range)).to.throw('onbuild trigger should be a single expression');
  });
});
