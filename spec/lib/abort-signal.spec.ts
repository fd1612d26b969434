// A build stops on an AbortSignal.any() signal whose only other holder is the composite, under
// garbage collection (Node 20's nodejs/node#57736: such a source, typically AbortSignal.timeout,
// was collected before it fired and the build ran on). followSignal listens on the sources too.
import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compositeSources, followSignal } from '../../lib/abort-signal.js';
import { build } from '../../lib/build.js';
import { TsbuildError } from '../../lib/errors.js';
import { FakeSandbox } from '../../executor/sandbox/fake-sandbox.js';
import { rejection } from '../support/rejection.js';
import { makeBuildFixture, type BuildFixture } from './build-fixtures.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Collects garbage every 20 ms while `work` runs. */
async function underGc<T>(work: () => Promise<T>): Promise<T> {
  const timer = setInterval(collectGarbage, 20);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('lib/abort-signal', () => {
  it('finds the sources of AbortSignal.any(), nested ones too (Node flattens them)', () => {
    const a = new AbortController();
    const b = new AbortController();
    const inner = AbortSignal.any([b.signal]);
    expect(compositeSources(AbortSignal.any([a.signal, inner]))).to.have.members([a.signal, b.signal]);
    expect(compositeSources(a.signal)).to.deep.equal([]);
  });

  it('the followed signal aborts with a collected-only timeout source, with its reason', async () => {
    const followed = followSignal(AbortSignal.any([AbortSignal.timeout(100)]));
    const reason = await underGc(() => new Promise<unknown>((done, fail) => {
      followed.signal.addEventListener('abort', () => done(followed.signal.reason), { once: true });
      setTimeout(() => fail(new Error('the followed signal never aborted')), 2000);
    }));
    followed.dispose();
    expect((reason as DOMException).name).to.equal('TimeoutError');
  });

  it('an already aborted signal gives an aborted one; dispose stops following', () => {
    expect(followSignal(AbortSignal.abort('x')).signal.aborted).to.equal(true);
    const controller = new AbortController();
    const followed = followSignal(AbortSignal.any([controller.signal]));
    followed.dispose();
    controller.abort();
    expect(followed.signal.aborted).to.equal(false);
  });
});

describe('build() with AbortSignal.any([AbortSignal.timeout()]) [root]', function () {
  this.timeout(60000);
  let fixture: BuildFixture;
  before(async () => {
    fixture = await makeBuildFixture();
  });
  after(async () => {
    await fixture.dispose();
  });

  it('stops a running step when the timeout fires, even under garbage collection', async () => {
    // The step "runs" until its signal aborts, or 5 s.
    const sandbox = new FakeSandbox((_spec, _io, signal) => new Promise<number>((done) => {
      const timer = setTimeout(() => done(0), 5000);
      signal?.addEventListener('abort', () => (clearTimeout(timer), done(1)), { once: true });
    }));
    const started = Date.now();
    const error = await underGc(() => rejection(build({
      context: fixture.context, root: fixture.root, sandbox, noCache: true,
      dockerfileText: 'FROM busybox:test\nRUN sleep 5\n',
      signal: AbortSignal.any([AbortSignal.timeout(300)]),
    })));
    expect(error).to.be.instanceOf(TsbuildError);
    expect((error as TsbuildError).code).to.equal('E_ABORTED');
    expect(Date.now() - started).to.be.lessThan(4000);
    await sleep(10);
  });
});
