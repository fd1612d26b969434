// RUN's pure half: the history line and the cache-key description. Expected history texts are
// what `docker history --no-trunc` showed for the same Dockerfiles built by BuildKit (Docker 26.1)
// on a busybox base whose config is empty.
import { expect } from 'chai';
import { dispatchInstruction, expandForStage } from '../../../executor/dispatch.js';
import { canonicalJson } from '../../../cache/cache-key.js';
import { initialState, type StageBase } from '../../../executor/stage-state.js';
import { runHandler } from '../../../executor/steps/run.js';
import type { DispatchContext, StageState, StepDescription } from '../../../executor/steps/types.js';
import type { RunInstruction } from '../../../parser/instructions/run.js';
import { parseDockerfile } from '../../../parser/stages.js';

const BUSYBOX: StageBase = { config: {}, layers: [], history: [], key: 'sha256:busybox' };

function contextOf(buildArgs: Record<string, string>): DispatchContext {
  return { buildArgs: new Map(Object.entries(buildArgs)), metaArgs: new Map(), escapeToken: '\\', warn: () => undefined };
}

interface RunCase {
  readonly state: StageState;
  readonly ins: RunInstruction;
  readonly ctx: DispatchContext;
}

/** Folds every line but the last through the dispatcher; the last must be a RUN, expanded. */
function runCase(lines: string, buildArgs: Record<string, string> = {}): RunCase {
  const ctx = contextOf(buildArgs);
  const instructions = parseDockerfile(`FROM busybox\n${lines}\n`).stages[0]!.instructions;
  let state = initialState({ stageIndex: 0, base: BUSYBOX, platform: { os: 'linux', architecture: 'amd64' } });
  for (const ins of instructions.slice(0, -1)) state = dispatchInstruction(state, ins, ctx).state;
  const last = instructions[instructions.length - 1]!;
  if (last.kind !== 'RUN') throw new Error('the last line must be a RUN');
  return { state, ins: expandForStage(state, last, ctx), ctx };
}

function historyOf(lines: string, buildArgs: Record<string, string> = {}): string {
  const { state, ins, ctx } = runCase(lines, buildArgs);
  const history = runHandler.apply(state, ins, ctx).history;
  return history[history.length - 1]!.created_by;
}

function describeOf(lines: string, buildArgs: Record<string, string> = {}, extras: object = {}): StepDescription {
  const { state, ins, ctx } = runCase(lines, buildArgs);
  return runHandler.describe(state, ins, { ...ctx, ...extras });
}

function keyOf(lines: string, buildArgs: Record<string, string> = {}): string {
  const description = describeOf(lines, buildArgs);
  return canonicalJson({ op: description.op, inputs: (description.inputs ?? []) as never });
}

const ARGS = 'ARG A=1\nARG B\nARG C\nENV A=override\nARG HTTP_PROXY\n';
const PROXIES = { B: 'bee', HTTP_PROXY: 'http://proxy:1', http_proxy: 'http://p2:2', NO_PROXY: 'nope' };
const PAIRS = '|4 A=override B=bee C= HTTP_PROXY=http://proxy:1';

describe('executor/steps/run: history (apply)', () => {
  const table: [string, string, string][] = [
    ['no build args', 'RUN true', 'RUN /bin/sh -c true # buildkit'],
    ['declared args with values, an ENV winning, an ARG without value', `${ARGS}RUN pwd`, `RUN ${PAIRS} /bin/sh -c pwd # buildkit`],
    ['exec form', `${ARGS}RUN ["echo", "exec", "form"]`, `RUN ${PAIRS} echo exec form # buildkit`],
    ['a lone heredoc runs its body', `${ARGS}RUN <<EOF\necho simple heredoc\necho line2\nEOF`, `RUN ${PAIRS} /bin/sh -c echo simple heredoc\necho line2\n # buildkit`],
    ['a shebang heredoc runs as a file', `${ARGS}RUN <<EOF\n#!/bin/sh\necho shebang $0\nEOF`, `RUN ${PAIRS} /bin/sh -c /dev/pipes/EOF # buildkit`],
    ['heredocs fed to the shell', `${ARGS}RUN cat <<EOF > /tmp/x && cat /tmp/x\nin file\nEOF`, `RUN ${PAIRS} /bin/sh -c cat <<EOF > /tmp/x && cat /tmp/x\nin file\nEOF # buildkit`],
    ['<<- strips tabs', `${ARGS}RUN <<-EOT\n\techo chomped\n\tEOT`, `RUN ${PAIRS} /bin/sh -c echo chomped\n # buildkit`],
    ['SHELL', `${ARGS}SHELL ["/bin/sh", "-xc"]\nRUN echo with shell`, `RUN ${PAIRS} /bin/sh -xc echo with shell # buildkit`],
  ];
  for (const [what, lines, expected] of table) {
    it(what, () => expect(historyOf(lines, PROXIES)).to.equal(expected));
  }

  it('a later ARG shadows an ENV, a later ENV an ARG; undeclared proxies are never listed', () => {
    const lines = 'ENV A=env\nARG A=arg\nARG B=argb\nENV B=envb\nARG NOVAL\nRUN echo "A=$A B=$B"; env';
    expect(historyOf(lines, { NOVAL: '', FTP_PROXY: 'ftp://x' })).to.equal('RUN |3 A=arg B=envb NOVAL= /bin/sh -c echo "A=$A B=$B"; env # buildkit');
  });

  it('adds one entry with a layer and BuildKit\'s comment, and changes nothing else', () => {
    const { state, ins, ctx } = runCase('USER nobody\nRUN true');
    const next = runHandler.apply(state, ins, ctx);
    expect(next.history.slice(0, -1)).to.deep.equal(state.history);
    expect(next.history[next.history.length - 1]).to.deep.equal({ created_by: 'RUN /bin/sh -c true # buildkit', comment: 'buildkit.dockerfile.v0' });
    expect(next.config).to.deep.equal(state.config);
  });
});

describe('executor/steps/run: cache key (describe)', () => {
  it('holds the argv, the env the process sees, the build args, user, workdir, mounts and network', () => {
    const { op } = describeOf('ARG V=1\nENV E=x\nUSER nobody\nWORKDIR /w\nRUN --network=none --mount=type=cache,target=/c echo $V', {});
    expect(op).to.deep.include({
      args: ['/bin/sh', '-c', 'echo $V'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'V=1', 'E=x'],
      buildArgs: ['V=1'],
      user: 'nobody',
      workdir: '/w',
      network: 'none',
      security: 'sandbox',
    });
    expect((op as { mounts: unknown[] }).mounts).to.deep.equal([
      { type: 'cache', readOnly: false, from: null, source: null, target: '/c', id: '/c', sharing: 'shared', uid: 0, gid: 0, mode: 0o755 },
    ]);
  });

  it('never holds proxy values, declared or not', () => {
    const text = JSON.stringify(describeOf(`${ARGS}RUN pwd`, PROXIES));
    for (const secret of ['proxy:1', 'p2:2', 'nope', 'HTTP_PROXY']) expect(text).not.to.include(secret);
    expect(keyOf(`${ARGS}RUN pwd`, PROXIES)).to.equal(keyOf(`${ARGS}RUN pwd`, { ...PROXIES, HTTP_PROXY: 'http://other:3', NO_PROXY: '' }));
  });

  it('never holds source positions: the same RUN lower in the file has the same key', () => {
    expect(keyOf('RUN true')).to.equal(keyOf('\n\n# comment\nRUN   true'));
  });

  it('changes with each thing that changes the result', () => {
    const base = keyOf('RUN true');
    const variants = [
      'RUN false',
      'ENV X=1\nRUN true',
      'ARG X\nRUN true',
      'USER 1000\nRUN true',
      'WORKDIR /x\nRUN true',
      'SHELL ["/bin/bash", "-c"]\nRUN true',
      'RUN --network=none true',
      'RUN --mount=type=tmpfs,target=/t true',
      'RUN --mount=type=cache,target=/c,sharing=locked true',
      'RUN --mount=type=secret,id=tok true',
      'RUN <<EOF\n#!/bin/sh\ntrue\nEOF',
    ];
    const keys = new Set([base, ...variants.map((lines) => keyOf(lines))]);
    expect(keys.size).to.equal(variants.length + 1);
    expect(keyOf('RUN <<EOF\n#!/bin/sh\ntrue\nEOF')).not.to.equal(keyOf('RUN <<EOF\n#!/bin/sh\nfalse\nEOF'));
  });

  it('describes a secret by id and target only (its contents are not even known here)', () => {
    const { op } = describeOf('WORKDIR /w\nRUN --mount=type=secret,id=tok --mount=type=secret,id=k2,target=rel,env=K2 --mount=type=secret,id=k3,env=K3 true');
    expect((op as { mounts: unknown[] }).mounts).to.deep.equal([
      { type: 'secret', id: 'tok', target: '/run/secrets/tok', env: null, required: false, uid: 0, gid: 0, mode: 0o400 },
      { type: 'secret', id: 'k2', target: '/w/rel', env: 'K2', required: false, uid: 0, gid: 0, mode: 0o400 },
      { type: 'secret', id: 'k3', target: null, env: 'K3', required: false, uid: 0, gid: 0, mode: 0o400 },
    ]);
  });

  it('names the trees mounts read: context paths, stages by name, images otherwise', () => {
    const stageIndexOf = (name: string) => (name === 'build' ? 0 : undefined);
    const description = describeOf(
      'RUN --mount=type=bind,source=sub/../src,target=/s --mount=type=bind,from=build,target=/b --mount=type=cache,from=alpine,target=/c --mount=type=tmpfs,target=/t true',
      {},
      { stageIndexOf },
    );
    expect(description.inputs).to.deep.equal([
      { source: 'context', paths: ['src'] },
      { source: 'stage', stageIndex: 0 },
      { source: 'image', ref: 'alpine' },
    ]);
    expect(describeOf('RUN true').inputs).to.equal(undefined);
    expect(describeOf('RUN --mount=type=bind,target=/ctx true').inputs).to.deep.equal([{ source: 'context', paths: ['.'] }]);
  });
});
