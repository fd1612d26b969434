// Whole small Dockerfiles folded through the dispatcher (parse → stages → dispatch each
// instruction), compared with the config and history BuildKit 0.13 (Docker 26.1) produced for the
// same files. Base image: a busybox whose config is empty, so BuildKit adds the default PATH.
import { expect } from 'chai';
import { dispatchInstruction, onbuildTriggers } from '../../executor/dispatch.js';
import type { ContainerConfig, HistoryEntry } from '../../executor/image-config.js';
import { initialState, scratchBase, type StageBase } from '../../executor/stage-state.js';
import type { DispatchContext, StageState } from '../../executor/steps/types.js';
import { shellExpander } from '../../parser/instructions/expander.js';
import { parseDockerfile } from '../../parser/stages.js';
import type { BuildWarning } from '../../parser/warnings.js';

const PLATFORM = { os: 'linux', architecture: 'amd64' };
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BUSYBOX: StageBase = { config: {}, layers: [], history: [{ created_by: '', comment: 'Imported from -' }], key: 'sha256:busybox' };

interface Folded {
  readonly states: StageState[];
  readonly warnings: BuildWarning[];
}

/** Global ARGs in order: a build arg wins, else the default expanded against the earlier ones. */
function metaArgValues(text: string, buildArgs: ReadonlyMap<string, string>): Map<string, string> {
  const parsed = parseDockerfile(text);
  const values = new Map<string, string>();
  const env = { get: (name: string) => values.get(name), keys: () => values.keys() };
  for (const ins of parsed.metaArgs) {
    for (const def of ins.args) {
      const given = buildArgs.get(def.key);
      const value = given ?? (def.value === undefined ? undefined : shellExpander(env, { escapeToken: '\\' }).word(def.value));
      if (value !== undefined) values.set(def.key, value);
    }
  }
  return values;
}

function fold(text: string, buildArgs: Record<string, string> = {}, base: StageBase = BUSYBOX): Folded {
  const parsed = parseDockerfile(text);
  const args = new Map(Object.entries(buildArgs));
  const warnings: BuildWarning[] = [];
  const ctx: DispatchContext = { buildArgs: args, metaArgs: metaArgValues(text, args), escapeToken: parsed.escapeToken, warn: (w) => warnings.push(w) };
  const states: StageState[] = [];
  for (const stage of parsed.stages) {
    const named = parsed.stages.findIndex((s) => s.name !== undefined && s.name === stage.from.image);
    const parent = named >= 0 ? states[named]! : undefined;
    const from: StageBase = parent !== undefined
      ? { config: parent.config, layers: parent.layers, history: parent.history, key: parent.key, buildEnv: parent.buildEnv! }
      : stage.from.image === 'scratch' ? scratchBase() : base;
    let state = initialState({ stageIndex: stage.index, base: from, platform: PLATFORM });
    for (const ins of [...onbuildTriggers(from.config, stage.from.range), ...stage.instructions]) state = dispatchInstruction(state, ins, ctx).state;
    states.push(state);
  }
  return { states, warnings };
}

function last(folded: Folded): StageState {
  return folded.states[folded.states.length - 1]!;
}

/** History as BuildKit wrote it, without timestamps; `true` marks entries with a layer. */
function history(entries: readonly (string | [string, true])[]): HistoryEntry[] {
  return entries.map((entry) => typeof entry === 'string'
    ? { created_by: entry, comment: 'buildkit.dockerfile.v0', empty_layer: true }
    : { created_by: entry[0], comment: 'buildkit.dockerfile.v0' });
}

const IMPORTED: HistoryEntry = { created_by: '', comment: 'Imported from -' };

describe('dispatch: whole Dockerfiles against BuildKit 0.13', () => {
  it('every metadata instruction on busybox', () => {
    const text = [
      'FROM localhost/busybox:test',
      'MAINTAINER Jane Doe <jane@example.com>',
      'ENV A=1 B="two words"',
      'ENV C $A-x',
      'ARG X=1 Y',
      'ARG Z=${A}z',
      'LABEL l1=v1 "l 2"="v 2"',
      'EXPOSE 80 53/udp 8000-8001',
      'VOLUME /data ["/logs"]',
      'VOLUME ["/a", "/b"]',
      'USER 1000:1000',
      'WORKDIR app',
      'WORKDIR /srv/../opt/x/',
      'STOPSIGNAL SIGKILL',
      'HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD wget -q localhost || exit 1',
      'SHELL ["/bin/sh", "-ec"]',
      'CMD echo hi',
      'ENTRYPOINT ["/bin/ep"]',
      'ONBUILD RUN echo on   build',
      'ONBUILD ENV Q=$A',
    ].join('\n');
    const state = last(fold(text));
    const expected: ContainerConfig = {
      User: '1000:1000',
      ExposedPorts: { '53/udp': {}, '80/tcp': {}, '8000/tcp': {}, '8001/tcp': {} },
      Env: [PATH, 'A=1', 'B=two words', 'C=1-x'],
      Entrypoint: ['/bin/ep'],
      Cmd: ['/bin/sh', '-ec', 'echo hi'],
      Volumes: { '/a': {}, '/b': {}, '/data': {}, '[/logs]': {} },
      WorkingDir: '/srv/../opt/x/',
      Labels: { 'l 2': 'v 2', l1: 'v1' },
      StopSignal: 'SIGKILL',
      ArgsEscaped: true,
      Healthcheck: { Test: ['CMD-SHELL', 'wget -q localhost || exit 1'], Interval: 5000000000, Timeout: 3000000000, Retries: 2 },
      OnBuild: ['RUN echo on   build', 'ENV Q=$A'],
      Shell: ['/bin/sh', '-ec'],
    };
    expect(state.config).to.deep.equal(expected);
    expect(state.author).to.equal('Jane Doe <jane@example.com>');
    expect(state.history).to.deep.equal([IMPORTED, ...history([
      'MAINTAINER Jane Doe <jane@example.com>',
      'ENV A=1 B=two words',
      'ENV C=1-x',
      'ARG X=1 Y',
      'ARG Z=1z',
      'LABEL l1=v1 l 2=v 2',
      'EXPOSE map[53/udp:{} 80/tcp:{} 8000/tcp:{} 8001/tcp:{}]',
      'VOLUME [/data [/logs]]',
      'VOLUME [/a /b]',
      'USER 1000:1000',
      ['WORKDIR /app', true],
      ['WORKDIR /srv/../opt/x/', true],
      'STOPSIGNAL SIGKILL',
      'HEALTHCHECK &{["CMD-SHELL" "wget -q localhost || exit 1"] "5s" "3s" "0s" "0s" \'\\x02\'}',
      'SHELL [/bin/sh -ec]',
      'CMD ["/bin/sh" "-ec" "echo hi"]',
      'ENTRYPOINT ["/bin/ep"]',
    ])]);
  });

  it('FROM scratch: WorkingDir / and PATH; ENTRYPOINT before CMD clears nothing later; HEALTHCHECK NONE', () => {
    const text = 'FROM scratch\nENTRYPOINT echo a\nCMD ["c"]\nENTRYPOINT ["e"]\nHEALTHCHECK NONE\nEXPOSE 1234/TCP\nUSER nobody\nWORKDIR /\n';
    const state = last(fold(text));
    expect(state.config).to.deep.equal({
      User: 'nobody', ExposedPorts: { '1234/tcp': {} }, Env: [PATH], Entrypoint: ['e'], Cmd: ['c'], WorkingDir: '/', ArgsEscaped: true, Healthcheck: { Test: ['NONE'] },
    });
    expect(state.history).to.deep.equal(history([
      'ENTRYPOINT ["/bin/sh" "-c" "echo a"]',
      'CMD ["c"]',
      'ENTRYPOINT ["e"]',
      'HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" \'\\x00\'}',
      'EXPOSE map[1234/tcp:{}]',
      'USER nobody',
      'WORKDIR /',
    ]));
  });

  it('an ARG shadows an earlier ENV for expansion but not in the config', () => {
    const text = 'FROM localhost/busybox:test\nCMD ["c"]\nENTRYPOINT e f\nHEALTHCHECK CMD ["/bin/true", "x"]\nENV X=a\nARG X=b\nARG P=$X\nENV Y=$X\nWORKDIR /$X\n';
    const state = last(fold(text));
    expect(state.config).to.deep.equal({
      Env: [PATH, 'X=a', 'Y=b'], Entrypoint: ['/bin/sh', '-c', 'e f'], Cmd: ['c'], WorkingDir: '/b', ArgsEscaped: true, Healthcheck: { Test: ['CMD', '/bin/true', 'x'] },
    });
    expect(state.history.slice(1)).to.deep.equal(history([
      'CMD ["c"]',
      'ENTRYPOINT ["/bin/sh" "-c" "e f"]',
      'HEALTHCHECK &{["CMD" "/bin/true" "x"] "0s" "0s" "0s" "0s" \'\\x00\'}',
      'ENV X=a',
      'ARG X=b',
      'ARG P=b',
      'ENV Y=b',
      ['WORKDIR /b', true],
    ]));
  });

  it('build args, meta ARGs, empty CMD/ENTRYPOINT, a stage built on a stage (--build-arg X=2)', () => {
    const text = [
      'ARG M=meta', 'ARG N=$M-n', 'FROM localhost/busybox:test AS base', 'ARG X=1', 'ARG M', 'ARG N=$X', 'ARG D=${X}d',
      'ENV E="$M $N $D"', 'CMD []', 'ENTRYPOINT []', 'EXPOSE 80 80/tcp 9/udp', 'STOPSIGNAL 9', 'LABEL a=1', 'LABEL a=2 b=$X',
      'FROM base', 'ENV F=$X', 'WORKDIR rel', 'WORKDIR ../up',
    ].join('\n');
    const state = last(fold(text, { X: '2', http_proxy: 'http://p:1' }));
    expect(state.config).to.deep.equal({
      ExposedPorts: { '80/tcp': {}, '9/udp': {} }, Env: [PATH, 'E=meta 2 2d', 'F=2'], WorkingDir: '/up', Labels: { a: '2', b: '2' }, StopSignal: '9', ArgsEscaped: true,
    });
    expect(state.history.slice(1)).to.deep.equal(history([
      'ARG X=1', 'ARG M', 'ARG N=2', 'ARG D=2d', 'ENV E=meta 2 2d', 'CMD []', 'ENTRYPOINT []', 'EXPOSE map[80/tcp:{} 9/udp:{}]',
      'STOPSIGNAL 9', 'LABEL a=1', 'LABEL a=2 b=2', 'ENV F=2', ['WORKDIR /rel', true], ['WORKDIR /up', true],
    ]));
  });

  it('one ARG or ENV line is expanded against the env before it', () => {
    const text = 'FROM localhost/busybox:test\nARG A=1 B=$A\nENV C=3 D=$C\nLABEL x=$C y=$UNDEF\n';
    const state = last(fold(text));
    expect(state.config.Env).to.deep.equal([PATH, 'C=3', 'D=']);
    expect(state.config.Labels).to.deep.equal({ x: '3', y: '' });
    expect(state.args).to.deep.equal([{ name: 'A', value: '1' }, { name: 'B', value: '' }]);
    expect(state.history.slice(1).map((h) => h.created_by)).to.deep.equal(['ARG A=1 B=', 'ENV C=3 D=', 'LABEL x=3 y=']);
  });

  it('runs the base image\'s ONBUILD triggers right after FROM and does not inherit them', () => {
    // The parent: FROM busybox, ENV A=1, ONBUILD ENV Q=$A, ONBUILD LABEL from=trigger.
    const parent: StageBase = { ...BUSYBOX, config: { Env: [PATH, 'A=1'], OnBuild: ['ENV Q=$A', 'LABEL from=trigger'] } };
    const state = last(fold('FROM parent\nENV R=$Q\n', {}, parent));
    expect(state.config).to.deep.equal({ Env: [PATH, 'A=1', 'Q=1', 'R=1'], Labels: { from: 'trigger' } });
    expect(state.history.slice(1).map((h) => h.created_by)).to.deep.equal(['ENV Q=1', 'LABEL from=trigger', 'ENV R=1']);
  });
});

describe('dispatch: UndefinedVar warnings', () => {
  const messages = (text: string, args: Record<string, string> = {}) => fold(text, args).warnings.map((w) => [w.rule, w.message, w.range?.start.line]);

  it('reports unset variables with BuildKit\'s wording and suggestion, once per instruction', () => {
    expect(messages('FROM scratch\nENV FOO=1\nLABEL a=$FOOO b=$FOOO c=$ZZZZZZ\n')).to.deep.equal([
      ['UndefinedVar', "Usage of undefined variable '$FOOO' (did you mean $FOO?)", 3],
      ['UndefinedVar', "Usage of undefined variable '$ZZZZZZ'", 3],
    ]);
  });

  it('does not report declared ARGs without a value, set variables, or defaults a build arg overrides', () => {
    expect(messages('FROM scratch\nARG V\nARG W=$NOPE\nENV A=$V B=${W}\n', { W: 'w' })).to.deep.equal([]);
  });

  it('reports unset variables in an ARG default that is used', () => {
    expect(messages('FROM scratch\nARG W=$NOPE\n')).to.deep.equal([['UndefinedVar', "Usage of undefined variable '$NOPE'", 2]]);
  });
});

describe('dispatch: errors and descriptions', () => {
  it('locates a handler\'s error at the instruction', () => {
    expect(() => fold('FROM scratch\n\nSTOPSIGNAL SIGNOPE\n')).to.throw('Invalid signal: SIGNOPE').with.property('code', 'E_INSTRUCTION');
  });

  it('describes with the state before the step and never includes source ranges', () => {
    const parsed = parseDockerfile('FROM scratch\nWORKDIR /a\nWORKDIR b\n');
    const ctx: DispatchContext = { buildArgs: new Map(), metaArgs: new Map(), escapeToken: '\\', warn: () => undefined };
    let state = initialState({ stageIndex: 0, base: scratchBase(), platform: PLATFORM });
    const ops = parsed.stages[0]!.instructions.map((ins) => {
      const dispatched = dispatchInstruction(state, ins, ctx);
      state = dispatched.state;
      return dispatched.description.op;
    });
    expect(ops).to.deep.equal([{ path: '/a' }, { path: '/a/b' }]);
  });
});

describe('dispatch: RUN through the table', () => {
  it('RUN after ARGs gets BuildKit\'s history line with the declared args', () => {
    // The reference: ARG A=1 B=$A, then RUN echo "$B|$D" > /o.txt.
    const state = last(fold('FROM localhost/busybox:test\nARG A=1 B=$A\nENV C=3 D=$C\nRUN echo "$B|$D" > /o.txt\n'));
    expect(state.history[state.history.length - 1]).to.deep.include({ created_by: 'RUN |2 A=1 B= /bin/sh -c echo "$B|$D" > /o.txt # buildkit' });
    expect(state.history[state.history.length - 1]!.empty_layer).to.not.equal(true);
  });
});
