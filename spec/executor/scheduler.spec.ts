// The scheduler on a real root with fake RUN steps (scheduler-harness.ts): step order and layers,
// cache hits and misses, inputs in keys, parallel stages, and what a failure or an abort leaves.
import { expect } from 'chai';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildEvent } from '../../executor/scheduler.js';
import { DockerfileError, TsbuildError } from '../../lib/errors.js';
import { mkTar } from '../support/mk-tar.js';
import { leftovers, makeHarness, readFromState, runFake, type Harness } from './scheduler-harness.js';
import { rejection } from '../support/rejection.js';

describe('executor/scheduler', function () {
  this.timeout(60000);
  let harness: Harness;
  beforeEach(async () => {
    harness = await makeHarness();
  });
  afterEach(async () => {
    await harness.dispose();
  });

  describe('steps of a stage', () => {
    it('runs steps in order, one layer per changing step, later writes on top', async () => {
      const result = await runFake(harness, 'FROM scratch\nRUN write a one\nRUN write a two\nRUN write b three\n');
      expect(result.target.layers).to.have.length(3);
      expect(await readFromState(harness, result.target, 'a')).to.equal('two');
      expect(await readFromState(harness, result.target, 'b')).to.equal('three');
      expect(result.cache).to.deep.equal({ hits: 0, misses: 3 });
    });

    it('gives a step that changes no files BuildKit’s empty layer, or none when its history says so', async () => {
      const result = await runFake(harness, 'FROM scratch\nRUN write a 1\nRUN noop\nRUN nolayer\nENV X=1\n');
      expect(result.target.layers).to.have.length(2);
      expect(result.target.layers[1]!.diffId).to.equal('sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
      expect(result.target.history.map((entry) => entry.empty_layer ?? false)).to.deep.equal([false, false, true, true]);
      expect(result.target.config.Env).to.include('X=1');
      const warm = await runFake(harness, 'FROM scratch\nRUN write a 1\nRUN noop\nRUN nolayer\nENV X=1\n');
      expect(warm.cache).to.deep.equal({ hits: 3, misses: 0 });
      expect(warm.target.layers).to.deep.equal(result.target.layers);
      expect(warm.target.history).to.deep.equal(result.target.history);
    });

    it('chains keys: every step, metadata ones included, changes the state key', async () => {
      const first = await runFake(harness, 'FROM scratch\nRUN write a 1\n');
      const second = await runFake(harness, 'FROM scratch\nRUN write a 1\nENV X=1\n');
      expect(second.target.key).to.match(/^[a-f0-9]{64}$/);
      expect(second.target.key).to.not.equal(first.target.key);
    });
  });

  describe('cache', () => {
    it('hits every step on a second run and ends with the same key and layers', async () => {
      const text = 'FROM scratch\nRUN write a 1\nRUN write b 2\n';
      const cold = await runFake(harness, text);
      const warm = await runFake(harness, text);
      expect(warm.cache).to.deep.equal({ hits: 2, misses: 0 });
      expect(warm.target.key).to.equal(cold.target.key);
      expect(warm.target.layers).to.deep.equal(cold.target.layers);
    });

    it('runs everything again with noCache, reaching the same files and key', async () => {
      const text = 'FROM scratch\nRUN write a 1\n';
      const cold = await runFake(harness, text);
      const again = await runFake(harness, text, { noCache: true });
      expect(again.cache).to.deep.equal({ hits: 0, misses: 1 });
      // The layer itself may differ: a re-run writes new mtimes.
      expect(again.target.key).to.equal(cold.target.key);
      expect(await readFromState(harness, again.target, 'a')).to.equal('1');
    });

    it('misses from the changed step on: a new command changes its key and every later one', async () => {
      await runFake(harness, 'FROM scratch\nRUN write a 1\nRUN write b 2\nRUN write c 3\n');
      const changed = await runFake(harness, 'FROM scratch\nRUN write a 1\nRUN write b 22\nRUN write c 3\n');
      expect(changed.cache).to.deep.equal({ hits: 1, misses: 2 });
    });

    it('puts context content in the key: a changed file misses, an unchanged one hits', async () => {
      const text = 'FROM scratch\nRUN write a 1\nRUN ctx input.txt\nRUN write z 9\n';
      await writeFile(join(harness.contextDir, 'input.txt'), 'v1');
      await runFake(harness, text);
      const same = await runFake(harness, text);
      expect(same.cache).to.deep.equal({ hits: 3, misses: 0 });
      await writeFile(join(harness.contextDir, 'input.txt'), 'v2');
      const changed = await runFake(harness, text);
      expect(changed.cache).to.deep.equal({ hits: 1, misses: 2 });
      expect(await readFromState(harness, changed.target, 'input.txt')).to.equal('v2');
    });

    it('puts a source stage’s final key in the key of a step reading it', async () => {
      const text = (value: string) => `FROM scratch AS one\nRUN write f ${value}\nFROM scratch\nRUN write other x\nRUN --mount=from=one,target=/m from 0 f\n`;
      await runFake(harness, text('a'));
      const changed = await runFake(harness, text('b'));
      // stage 0's step and the copy miss; stage 1's own first step hits
      expect(changed.cache).to.deep.equal({ hits: 1, misses: 2 });
      expect(await readFromState(harness, changed.target, 'f')).to.equal('b');
    });

    it('runs a step shared by two concurrent stages once; the other stage reuses it', async () => {
      const text = 'FROM scratch AS a\nRUN sleep 200 same\nFROM scratch AS b\nRUN sleep 200 same\nFROM scratch\nRUN --mount=from=a,target=/m from 0 same\nRUN --mount=from=b,target=/m from 1 same\n';
      const result = await runFake(harness, text);
      expect(harness.timeline.filter((entry) => entry.name === 'same')).to.have.length(1);
      expect(result.stages.get(0)!.key).to.equal(result.stages.get(1)!.key);
      expect(result.cache).to.deep.equal({ hits: 1, misses: 3 });
    });

    it('explains a miss against the last build of the same step', async () => {
      const started = (events: BuildEvent[]) => events.flatMap((event) => (event.type === 'step' && event.phase === 'started' && event.missReason ? [event.missReason] : []));
      const first: BuildEvent[] = [];
      await writeFile(join(harness.contextDir, 'input.txt'), 'v1');
      await runFake(harness, 'FROM scratch\nRUN write a 1\nRUN ctx input.txt\n', { events: first, explain: true });
      expect(started(first)).to.deep.equal([['no earlier build of this step'], ['no earlier build of this step']]);
      const second: BuildEvent[] = [];
      await writeFile(join(harness.contextDir, 'input.txt'), 'v2');
      await runFake(harness, 'FROM scratch\nRUN write a 1\nRUN ctx input.txt\n', { events: second, explain: true });
      expect(started(second)).to.deep.equal([['RUN ctx input.txt: input.txt changed']]);
      const third: BuildEvent[] = [];
      await runFake(harness, 'FROM scratch\nRUN write a 2\nRUN ctx input.txt\n', { events: third, explain: true });
      expect(started(third)[0]).to.deep.equal(['op.text: "RUN write a 1" → "RUN write a 2"']);
      expect(started(third)[1]).to.deep.equal(['parent changed']);
    });

    it('heals from a damaged layer blob: the cache hit re-hashes it, so the step runs again instead of using it', async () => {
      const first = await runFake(harness, 'FROM scratch\nRUN write a 1\nRUN write b 2\n');
      const damaged = first.target.layers[0]!;
      const path = harness.content.blobPath(damaged.digest);
      await chmod(path, 0o644);
      await writeFile(path, 'not the layer');
      await rm(harness.layout.snapshots, { recursive: true });
      await mkdir(harness.layout.snapshots);
      const healed = await runFake(harness, 'FROM scratch\nRUN write a 1\nRUN write b 3\n');
      expect(healed.cache).to.deep.equal({ hits: 0, misses: 2 });
      expect(await readFromState(harness, healed.target, 'b')).to.equal('3');
      expect(await leftovers(harness)).to.deep.equal({ mounts: [], temp: [] });
    });

    it('keeps each record’s key input, so a miss can be explained', async () => {
      const result = await runFake(harness, 'FROM scratch\nRUN write a 1\n');
      const record = await harness.index.get(result.target.key);
      expect(record?.input).to.deep.include({ parent: 'scratch', kind: 'RUN', op: { text: 'RUN write a 1' } });
    });
  });

  describe('base images', () => {
    async function imageWith(manifestDigest: string) {
      const tar = mkTar([{ name: 'from-image', data: 'base' }]);
      const blob = await harness.content.ingest(tar);
      const layer = { digest: blob.digest, diffId: blob.digest, size: blob.size };
      const image = { ref: 'base:1', manifestDigest, config: { Env: ['FROM_IMAGE=1'] }, history: [{ created_by: 'base' }], layers: [layer] };
      return { resolve: async (ref: string) => ({ ...image, ref }) };
    }

    it('starts from the image’s layers and config, keyed by its manifest digest', async () => {
      const images = await imageWith(`sha256:${'1'.repeat(64)}`);
      const result = await runFake(harness, 'FROM base:1\nRUN write a 1\n', { images });
      expect(await readFromState(harness, result.target, 'from-image')).to.equal('base');
      expect(result.target.config.Env).to.include('FROM_IMAGE=1');
      expect((await harness.index.get(result.target.key))?.input).to.deep.include({ parent: `sha256:${'1'.repeat(64)}` });
    });

    it('misses every step when the tag names another manifest', async () => {
      await runFake(harness, 'FROM base:1\nRUN write a 1\n', { images: await imageWith(`sha256:${'1'.repeat(64)}`) });
      const same = await runFake(harness, 'FROM base:1\nRUN write a 1\n', { images: await imageWith(`sha256:${'1'.repeat(64)}`) });
      const moved = await runFake(harness, 'FROM base:1\nRUN write a 1\n', { images: await imageWith(`sha256:${'2'.repeat(64)}`) });
      expect(same.cache).to.deep.equal({ hits: 1, misses: 0 });
      expect(moved.cache).to.deep.equal({ hits: 0, misses: 1 });
    });
  });

  describe('stages', () => {
    it('runs independent stages concurrently and a dependent one after both', async () => {
      const text = 'FROM scratch AS a\nRUN sleep 400 a\nFROM scratch AS b\nRUN sleep 400 b\nFROM scratch\nRUN --mount=from=a,target=/m from 0 a\nRUN --mount=from=b,target=/m from 1 b\n';
      const result = await runFake(harness, text);
      const [a, b] = ['a', 'b'].map((name) => harness.timeline.find((entry) => entry.name === name)!);
      expect(a.start).to.be.below(b.end);
      expect(b.start).to.be.below(a.end);
      expect(await readFromState(harness, result.target, 'a')).to.equal('slept');
      expect(await readFromState(harness, result.target, 'b')).to.equal('slept');
      expect([...result.stages.keys()].sort()).to.deep.equal([0, 1, 2]);
    });

    it('starts a stage FROM another with that stage’s filesystem, config and key', async () => {
      const result = await runFake(harness, 'FROM scratch AS base\nRUN write a 1\nENV B=1\nFROM base\nRUN write b 2\n');
      expect(await readFromState(harness, result.target, 'a')).to.equal('1');
      expect(result.target.config.Env).to.include('B=1');
      expect(result.stages.get(1)!.history).to.have.length(3);
    });

    it('takes an image input that names a stage of the plan as that stage', async () => {
      const text = (value: string) => `FROM scratch AS one\nRUN write f ${value}\nFROM scratch\nRUN --mount=from=one,target=/m fromname one f\n`;
      const first = await runFake(harness, text('a'));
      expect(await readFromState(harness, first.target, 'f')).to.equal('a');
      const changed = await runFake(harness, text('b'));
      expect(changed.cache).to.deep.equal({ hits: 0, misses: 2 });
      expect(await readFromState(harness, changed.target, 'f')).to.equal('b');
    });

    it('runs only the stages the target needs', async () => {
      const result = await runFake(harness, 'FROM scratch AS a\nRUN write a 1\nFROM scratch AS b\nRUN fail\n', { target: 'a' });
      expect([...result.stages.keys()]).to.deep.equal([0]);
    });
  });

  describe('failure and abort', () => {
    it('a failing stage aborts the others, reports its own error located at its line, and leaves nothing behind', async () => {
      const text = 'FROM scratch AS slow\nRUN hang slow\nFROM scratch AS bad\nRUN write x 1\nRUN fail\nFROM scratch\nRUN --mount=from=slow,target=/m from 0 a\nRUN --mount=from=bad,target=/m from 1 b\n';
      const error = await rejection(runFake(harness, text));
      expect(error).to.be.instanceOf(DockerfileError);
      const located = error as DockerfileError;
      expect(located.code).to.equal('E_STEP');
      expect(located.message).to.equal('the fake step failed');
      expect(located.location.file).to.equal('Dockerfile');
      expect(located.location.range.start.line).to.equal(5);
      expect(harness.abortsSeen).to.deep.equal(['slow']);
      expect(await leftovers(harness)).to.deep.equal({ mounts: [], temp: [] });
    });

    it('the caller’s signal aborts a running build with E_ABORTED, after cleaning up', async () => {
      const controller = new AbortController();
      // Aborted once the hanging step has started (a fixed delay fails on a loaded machine).
      const onEvent = (event: BuildEvent): void => {
        if (event.type === 'step' && event.phase === 'started' && event.text === 'RUN hang h') setTimeout(() => controller.abort(), 100);
      };
      const error = await rejection(runFake(harness, 'FROM scratch\nRUN write a 1\nRUN hang h\n', { signal: controller.signal, onEvent }));
      expect(error).to.be.instanceOf(TsbuildError);
      expect((error as TsbuildError).code).to.equal('E_ABORTED');
      expect(harness.abortsSeen).to.deep.equal(['h']);
      expect(await leftovers(harness)).to.deep.equal({ mounts: [], temp: [] });
    });

    it('an already aborted signal runs nothing', async () => {
      const error = await rejection(runFake(harness, 'FROM scratch\nRUN write a 1\n', { signal: AbortSignal.abort() }));
      expect((error as TsbuildError).code).to.equal('E_ABORTED');
      expect(await harness.index.get('0'.repeat(64))).to.equal(undefined);
    });

    it('a missing --from image fails before any step runs, located at the instruction naming it', async () => {
      const error = await rejection(runFake(harness, 'FROM scratch\nRUN write a 1\nRUN --mount=from=tools:1,target=/t noop\n'));
      expect((error as DockerfileError).code).to.equal('E_NOT_FOUND');
      expect((error as DockerfileError).location.range.start.line).to.equal(3);
      expect(await readdirCount(harness)).to.equal(0);
    });

    it('a missing base image fails before any step runs, located at its FROM', async () => {
      const error = await rejection(runFake(harness, 'FROM scratch\nRUN write a 1\nFROM nothere:1\nRUN write b 2\n'));
      expect((error as DockerfileError).code).to.equal('E_NOT_FOUND');
      expect((error as DockerfileError).location.range.start.line).to.equal(3);
      expect((await leftovers(harness)).temp).to.deep.equal([]);
      expect(await readdirCount(harness)).to.equal(0);
    });
  });

  describe('events', () => {
    it('reports each step started and finished, cached or not, and its output lines', async () => {
      const text = 'FROM scratch\nENV A=1\nRUN echo hello\n';
      const cold: BuildEvent[] = [];
      await runFake(harness, text, { events: cold });
      const steps = cold.filter((event) => event.type === 'step').map((event) => [event.text, event.type === 'step' && event.phase, event.type === 'step' && event.cached]);
      expect(steps).to.deep.equal([['ENV A=1', 'started', false], ['ENV A=1', 'finished', false], ['RUN echo hello', 'started', false], ['RUN echo hello', 'finished', false]]);
      expect(cold.filter((event) => event.type === 'log').map((event) => event.type === 'log' && [event.stream, event.line])).to.deep.equal([['stdout', 'hello']]);
      const warm: BuildEvent[] = [];
      await runFake(harness, text, { events: warm });
      expect(warm.filter((event) => event.type === 'step' && event.phase === 'finished').map((event) => event.type === 'step' && [event.cached, event.metadataOnly])).to.deep.equal([[false, true], [true, false]]);
      expect(warm.some((event) => event.type === 'log')).to.equal(false);
    });
  });
});

async function readdirCount(harness: Harness): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir(harness.layout.snapshots)).length;
}

