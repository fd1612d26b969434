// build() end to end on a busybox base in a private root: the namespace sandbox runs the steps,
// overlays hold their filesystems, the store receives the image. Cases that need an instruction
// whose step handler has not joined the table yet are skipped, saying so.
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STEP_HANDLERS } from '../../executor/steps/index.js';
import { build, type BuildEvent, type BuildOptions } from '../../lib/build.js';
import { DockerfileError, TsbuildError } from '../../lib/errors.js';
import type { InstructionKind } from '../../parser/instructions/index.js';
import { leftovers, makeBuildFixture, readImageFile, storedImage, type BuildFixture } from './build-fixtures.js';
import { rejection } from '../support/rejection.js';

function requireHandlers(context: Mocha.Context, ...kinds: InstructionKind[]): void {
  const missing = kinds.filter((kind) => STEP_HANDLERS[kind] === undefined);
  if (missing.length > 0) {
    context.test!.title += ` (skipped: no ${missing.join(', ')} handler yet)`;
    context.skip();
  }
}

describe('lib/build [root]', function () {
  this.timeout(120000);
  let fixture: BuildFixture;
  before(async () => {
    fixture = await makeBuildFixture();
  });
  after(async () => {
    await fixture.dispose();
  });

  async function buildText(text: string, options: Partial<BuildOptions> = {}) {
    return build({ context: fixture.context, dockerfileText: text, root: fixture.root, ...options });
  }

  it('builds a metadata-only Dockerfile onto the base: its layers, a new config, tagged', async () => {
    const result = await buildText('FROM busybox:test\nENV GREETING=hi\nLABEL a=b\nCMD ["sh"]\n', { tags: ['meta:1'] });
    const image = await storedImage(fixture, 'meta:1');
    expect(result.imageId).to.equal(image.id);
    expect(result.digest).to.equal(image.manifestDigest);
    expect(result.tags).to.deep.equal(['docker.io/library/meta:1']);
    expect(image.layers.map((layer) => layer.diffId)).to.deep.equal(fixture.busybox.layers.map((layer) => layer.diffId));
    expect(image.config.config.Env).to.include('GREETING=hi');
    expect(image.config.config.Cmd).to.deep.equal(['sh']);
    expect(image.config.history!.slice(-3).map((entry) => [entry.created_by, entry.empty_layer])).to.deep.equal([
      ['ENV GREETING=hi', true],
      ['LABEL a=b', true],
      ['CMD ["sh"]', true],
    ]);
    expect(result.cache).to.deep.equal({ hits: 0, misses: 0 });
  });

  it('WORKDIR of an existing folder gets BuildKit’s empty layer; WORKDIR / gets none', async () => {
    // BuildKit (Docker 26) on the same busybox: `WORKDIR /tmp` has diff_id sha256:5f70bf18…, the empty tar.
    await buildText('FROM busybox:test\nWORKDIR /tmp\nWORKDIR /\n', { tags: ['workdir:1'] });
    const image = await storedImage(fixture, 'workdir:1');
    expect(image.config.rootfs.diff_ids.slice(fixture.busybox.layers.length)).to.deep.equal(['sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef']);
    expect(image.config.history!.slice(-2).map((entry) => entry.empty_layer ?? false)).to.deep.equal([false, true]);
  });

  it('runs a base image’s ONBUILD triggers first, and the child image keeps none', async () => {
    await buildText('FROM busybox:test\nONBUILD ENV TRIGGERED=yes\n', { tags: ['onbuild:base'] });
    expect((await storedImage(fixture, 'onbuild:base')).config.config.OnBuild).to.deep.equal(['ENV TRIGGERED=yes']);
    const events: BuildEvent[] = [];
    await buildText('FROM onbuild:base\nENV AFTER=1\n', { tags: ['onbuild:child'], onEvent: (event) => events.push(event) });
    const child = await storedImage(fixture, 'onbuild:child');
    expect(child.config.config.Env).to.include.members(['TRIGGERED=yes', 'AFTER=1']);
    expect(child.config.config.OnBuild).to.equal(undefined);
    const started = events.filter((event) => event.type === 'step' && event.phase === 'started').map((event) => event.text);
    expect(started).to.deep.equal(['ENV TRIGGERED=yes', 'ENV AFTER=1']);
  });

  it('reads <context>/Dockerfile by default and reports a missing one as E_NOT_FOUND', async () => {
    await writeFile(join(fixture.context, 'Dockerfile'), 'FROM busybox:test\nLABEL from=file\n');
    const result = await build({ context: fixture.context, root: fixture.root, tags: ['file:1'] });
    expect((await storedImage(fixture, 'file:1')).config.config.Labels).to.deep.equal({ from: 'file' });
    expect(result.warnings).to.deep.equal([]);
    const error = await rejection(build({ context: fixture.context, root: fixture.root, dockerfile: join(fixture.context, 'Missing.Dockerfile') }));
    expect((error as TsbuildError).code).to.equal('E_NOT_FOUND');
    expect((error as TsbuildError).message).to.contain('Missing.Dockerfile');
  });

  it('fails clearly on a base image that is not in the store, saying how to get it', async () => {
    const error = await rejection(buildText('FROM alpine:3.99\nRUN true\n'));
    expect(error).to.be.instanceOf(DockerfileError);
    expect((error as DockerfileError).code).to.equal('E_NOT_FOUND');
    expect((error as DockerfileError).message).to.contain('tsbuild pull alpine:3.99');
    expect((error as DockerfileError).located).to.match(/^Dockerfile:1:1: /);
  });

  it('hello: RUN writes a file (cold), then every step is cached and the image is the same (warm)', async function () {
    requireHandlers(this, 'RUN');
    const text = 'FROM busybox:test\nRUN echo hello > /greeting\nWORKDIR /app\n';
    const events: BuildEvent[] = [];
    const cold = await buildText(text, { tags: ['hello:1'], onEvent: (event) => events.push(event) });
    expect(cold.cache.misses).to.be.greaterThan(0);
    expect(cold.cache.hits).to.equal(0);
    expect(await readImageFile(fixture, 'hello:1', 'greeting')).to.equal('hello\n');
    const image = await storedImage(fixture, 'hello:1');
    expect(image.layers).to.have.length(fixture.busybox.layers.length + 2);
    expect(events.some((event) => event.type === 'step' && event.text === 'RUN echo hello > /greeting' && event.phase === 'finished' && !event.cached)).to.equal(true);
    const warm = await buildText(text, { tags: ['hello:2'] });
    expect(warm.cache).to.deep.equal({ hits: cold.cache.misses, misses: 0 });
    expect(warm.imageId).to.equal(cold.imageId);
    expect(await leftovers(fixture)).to.deep.equal({ mounts: [], temp: [] });
  });

  it('multi-stage: a stage reads another through RUN --mount=from', async function () {
    requireHandlers(this, 'RUN');
    const text = 'FROM busybox:test AS build\nRUN echo built > /out\nFROM busybox:test\nRUN --mount=from=build,target=/b cp /b/out /copied\n';
    await buildText(text, { tags: ['multi:1'] });
    expect(await readImageFile(fixture, 'multi:1', 'copied')).to.equal('built\n');
    expect(await readImageFile(fixture, 'multi:1', 'out')).to.equal(undefined);
  });

  it('multi-stage: only needed stages run; history, env and layer count as BuildKit gives them', async function () {
    requireHandlers(this, 'RUN');
    // Expected values from BuildKit (Docker 26) building the same file on the same busybox.
    const text = 'FROM busybox:test AS build\nRUN echo built > /out\nENV STAGE=build\nFROM build AS mid\nRUN true\nFROM busybox:test\nRUN --mount=from=build,target=/b cp /b/out /copied\nWORKDIR /app\nENV A=1\n';
    const result = await buildText(text, { tags: ['multi:3'] });
    expect(result.stages.map((stage) => stage.index)).to.deep.equal([0, 2]);
    const image = await storedImage(fixture, 'multi:3');
    expect(image.layers).to.have.length(3);
    expect(image.config.config.Env).to.deep.equal(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1']);
    expect(image.config.history!.map((entry) => [entry.created_by, entry.empty_layer ?? false])).to.deep.equal([
      [undefined, false],
      ['RUN /bin/sh -c cp /b/out /copied # buildkit', false],
      ['WORKDIR /app', false],
      ['ENV A=1', true],
    ]);
    expect(await readImageFile(fixture, 'multi:3', 'copied')).to.equal('built\n');
  });

  it('multi-stage: COPY --from takes a file from an earlier stage', async function () {
    requireHandlers(this, 'RUN', 'COPY');
    const text = 'FROM busybox:test AS build\nRUN echo built > /out\nFROM busybox:test\nCOPY --from=build /out /copied\n';
    await buildText(text, { tags: ['multi:2'] });
    expect(await readImageFile(fixture, 'multi:2', 'copied')).to.equal('built\n');
  });

  it('a changed context file makes only the steps from the one reading it miss', async function () {
    requireHandlers(this, 'RUN');
    const text = 'FROM busybox:test\nRUN echo one > /one\nRUN --mount=type=bind,source=input.txt,target=/in.txt cp /in.txt /copy\nRUN echo three > /three\n';
    await writeFile(join(fixture.context, 'input.txt'), 'first');
    await buildText(text, { tags: ['ctx:1'] });
    await writeFile(join(fixture.context, 'input.txt'), 'second');
    const changed = await buildText(text, { tags: ['ctx:2'] });
    expect(changed.cache).to.deep.equal({ hits: 1, misses: 2 });
    expect(await readImageFile(fixture, 'ctx:2', 'copy')).to.equal('second');
  });

  it('a changed context file copied with COPY misses from that step on', async function () {
    requireHandlers(this, 'RUN', 'COPY');
    const text = 'FROM busybox:test\nRUN echo one > /one\nCOPY input.txt /copy\nRUN echo three > /three\n';
    await writeFile(join(fixture.context, 'input.txt'), 'first');
    await buildText(text);
    await writeFile(join(fixture.context, 'input.txt'), 'second');
    const changed = await buildText(text, { tags: ['copy:2'] });
    expect(changed.cache).to.deep.equal({ hits: 1, misses: 2 });
    expect(await readImageFile(fixture, 'copy:2', 'copy')).to.equal('second');
  });

  it('a failing RUN is an error located at its line, and leaves no mounts or temp folders', async function () {
    requireHandlers(this, 'RUN');
    const error = await rejection(buildText('FROM busybox:test\nRUN true\nRUN exit 3\n'));
    expect(error).to.be.instanceOf(DockerfileError);
    expect((error as TsbuildError).code).to.equal('E_STEP');
    expect((error as DockerfileError).location.range.start.line).to.equal(3);
    expect((error as DockerfileError).message).to.contain('exit code: 3');
    expect(await leftovers(fixture)).to.deep.equal({ mounts: [], temp: [] });
  });

  it('an abort while a RUN is running ends the build with E_ABORTED and leaves nothing behind', async function () {
    requireHandlers(this, 'RUN');
    const controller = new AbortController();
    const events: BuildEvent[] = [];
    const onEvent = (event: BuildEvent): void => {
      events.push(event);
      if (event.type === 'step' && event.phase === 'started' && event.text.startsWith('RUN sleep')) setTimeout(() => controller.abort(), 500);
    };
    const started = Date.now();
    const error = await rejection(buildText('FROM busybox:test\nRUN echo before > /before\nRUN sleep 60\n', { signal: controller.signal, onEvent }));
    expect((error as TsbuildError).code).to.equal('E_ABORTED');
    expect(Date.now() - started).to.be.below(30000);
    expect(await leftovers(fixture)).to.deep.equal({ mounts: [], temp: [] });
  });

  it('two builds of one file at once on one root run each step once', async function () {
    requireHandlers(this, 'RUN');
    const text = 'FROM busybox:test\nRUN sleep 1 && echo $RANDOM > /random\n';
    const [one, two] = await Promise.all([buildText(text, { tags: ['twice:1'] }), buildText(text, { tags: ['twice:2'] })]);
    expect(one.cache.misses + two.cache.misses).to.equal(1);
    expect(one.cache.hits + two.cache.hits).to.equal(1);
    expect(one.imageId).to.equal(two.imageId);
  });

  it('--no-cache runs every step again', async function () {
    requireHandlers(this, 'RUN');
    const text = 'FROM busybox:test\nRUN echo again > /again\n';
    await buildText(text);
    const again = await buildText(text, { noCache: true });
    expect(again.cache).to.deep.equal({ hits: 0, misses: 1 });
  });
});
