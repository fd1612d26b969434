import { expect } from 'chai';
import { argValue } from '../../../executor/steps/arg.js';
import { PATH, dispatchLines, stateAfter } from './dispatch-line.js';

describe('ARG step', () => {
  const cases: [string, Record<string, string>, Record<string, string>, { name: string; value?: string }[], string][] = [
    ['ARG X', {}, {}, [{ name: 'X' }], 'ARG X'],
    ['ARG X=1', {}, {}, [{ name: 'X', value: '1' }], 'ARG X=1'],
    ['ARG X=1', { X: '2' }, {}, [{ name: 'X', value: '2' }], 'ARG X=1'],
    ['ARG X', {}, { X: 'meta' }, [{ name: 'X', value: 'meta' }], 'ARG X'],
    ['ARG X', { X: 'b' }, { X: 'meta' }, [{ name: 'X', value: 'b' }], 'ARG X'],
    ['ARG X=', {}, {}, [{ name: 'X', value: '' }], 'ARG X='],
    ['ARG A=1 B=$A', {}, {}, [{ name: 'A', value: '1' }, { name: 'B', value: '' }], 'ARG A=1 B='],
  ];
  for (const [line, buildArgs, metaArgs, args, createdBy] of cases) {
    it(`${line} build ${JSON.stringify(buildArgs)} meta ${JSON.stringify(metaArgs)}`, () => {
      const state = stateAfter(line, undefined, { buildArgs, metaArgs });
      expect(state.args).to.deep.equal(args);
      expect(state.history[0]!.created_by).to.equal(createdBy);
      expect(state.history[0]!.empty_layer).to.equal(true);
    });
  }
  it('puts valued args into the build env only, never the config', () => {
    const state = stateAfter('ENV X=a\nARG X=b\nARG Y', undefined, {});
    expect(state.config.Env).to.deep.equal([PATH, 'X=a']);
    expect(state.buildEnv).to.deep.equal([PATH, 'X=b']);
  });
  it('keeps BuildKit\'s SBOM switches out of the env', () => {
    expect(stateAfter('ARG BUILDKIT_SBOM_SCAN_STAGE=true').buildEnv).to.deep.equal([PATH]);
  });
  it('describes names only (a build arg value changes the keys of the steps that use it, not the ARG\'s)', () => {
    const op = (buildArgs: Record<string, string>) => dispatchLines('ARG X=1 Y', undefined, { buildArgs })[0]!.description.op;
    expect(op({})).to.deep.equal({ args: ['X', 'Y'] });
    expect(op({ X: '2' })).to.deep.equal({ args: ['X', 'Y'] });
  });
  it('argValue prefers the build arg, then the default, then the meta arg', () => {
    const ctx = { buildArgs: new Map([['A', 'b']]), metaArgs: new Map([['A', 'm'], ['C', 'm']]) };
    expect([argValue({ key: 'A', value: 'd' }, ctx), argValue({ key: 'C', value: 'd' }, ctx), argValue({ key: 'C' }, ctx), argValue({ key: 'Z' }, ctx)]).to.deep.equal(['b', 'd', 'm', undefined]);
  });
});
