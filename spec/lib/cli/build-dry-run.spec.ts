import { expect } from 'chai';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../support/conformance.js';
import { runCli } from '../../support/run-cli.js';

const examples = join(projectRoot, 'examples');

interface JsonPlan {
  target: { index: number; name?: string };
  stages: { index: number; name?: string; base: { kind: string; ref?: string; index?: number }; dependsOn: number[]; steps: { line: number; kind: string; expanded: string }[] }[];
  unusedBuildArgs: string[];
  warnings: { rule: string }[];
}

async function jsonPlan(args: string[]): Promise<JsonPlan> {
  const run = await runCli(['build', '--dry-run', '--format', 'json', ...args]);
  expect(run.stderr).to.equal('');
  expect(run.code).to.equal(0);
  return JSON.parse(run.stdout) as JsonPlan;
}

describe('tsbuild build --dry-run', () => {
  let scratch: string;
  before(async () => { scratch = await mkdtemp(join(tmpdir(), 'tsbuild-dry-')); });
  after(async () => { await rm(scratch, { recursive: true, force: true }); });

  it('plans every Dockerfile in examples/ without error', async () => {
    const names = (await readdir(examples, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
    expect(names.length).to.be.greaterThan(2);
    for (const name of names) {
      const run = await runCli(['build', '--dry-run', join(examples, name)]);
      expect(run.code, `${name}: ${run.stderr}`).to.equal(0);
      expect(run.stdout).to.match(/target stage/);
    }
  });

  it('hello: one stage FROM busybox, the RUN as written and CMD in exec form', async () => {
    const plan = await jsonPlan([join(examples, 'hello')]);
    expect(plan.stages).to.have.length(1);
    expect(plan.stages[0]!.base).to.deep.equal({ kind: 'image', ref: 'busybox' });
    expect(plan.stages[0]!.steps.map((s) => s.expanded)).to.deep.equal([
      "RUN echo 'Hello, Docker!' > /hello.txt",
      'CMD ["cat","/hello.txt"]',
    ]);
  });

  it('multi-stage: global ARG in FROM, heredocs, COPY --from dependencies; the unused test stage is left out', async () => {
    const plan = await jsonPlan([join(examples, 'multi-stage')]);
    expect(plan.stages.map((s) => [s.index, s.name ?? null, s.dependsOn])).to.deep.equal([
      [0, 'build', []],
      [2, null, [0]],
    ]);
    expect(plan.stages.every((s) => s.base.kind === 'image' && s.base.ref === 'busybox')).to.equal(true);
    expect(plan.stages[0]!.steps.map((s) => s.expanded)).to.include('COPY <<EOF greeting.sh');
    expect(plan.stages[1]!.steps.map((s) => s.expanded)).to.include('COPY --from=build --chmod=0644 /out/greeting.txt /usr/share/greeting.txt');
    const withTest = await jsonPlan(['--target', 'test', join(examples, 'multi-stage')]);
    expect(withTest.stages.map((s) => s.name)).to.deep.equal(['build', 'test']);
  });

  it('--target release leaves the dev stage out and expands ARG defaults against the base stage ENV', async () => {
    const plan = await jsonPlan(['--target', 'release', join(examples, 'args-and-targets')]);
    expect(plan.target).to.deep.equal({ index: 2, name: 'release' });
    expect(plan.stages.map((s) => s.name)).to.deep.equal(['base', 'release']);
    expect(plan.stages[1]!.base).to.deep.equal({ kind: 'stage', index: 0 });
    const base = plan.stages[0]!.steps.map((s) => s.expanded);
    expect(base).to.include('ENV APP_VERSION=1.0 APP_HOME=/opt/app');
    expect(base).to.include('WORKDIR /opt/app');
    expect(plan.stages[1]!.steps.map((s) => s.expanded)).to.include('ARG GREETING="hello from 1.0"');
    expect(plan.stages[1]!.steps.map((s) => s.expanded)).to.include('HEALTHCHECK --interval=30s --timeout=3s CMD test -f /opt/app/version.txt');
  });

  it('--build-arg overrides a global ARG seen through a bare ARG in the stage', async () => {
    const plan = await jsonPlan(['--target', 'dev', '--build-arg', 'VERSION=2.5', join(examples, 'args-and-targets')]);
    expect(plan.stages.map((s) => s.name)).to.deep.equal(['base', 'dev']);
    expect(plan.stages[0]!.steps.map((s) => s.expanded)).to.include('ENV APP_VERSION=2.5 APP_HOME=/opt/app');
  });

  it('--build-arg NAME takes the value from the environment', async () => {
    const run = await runCli(['build', '--dry-run', '--format', 'json', '--build-arg', 'VERSION', join(examples, 'args-and-targets')], { env: { VERSION: '3.1' } });
    const plan = JSON.parse(run.stdout) as JsonPlan;
    expect(plan.stages[0]!.steps.map((s) => s.expanded)).to.include('ENV APP_VERSION=3.1 APP_HOME=/opt/app');
  });

  it('warns about a --build-arg that no stage consumes', async () => {
    const plan = await jsonPlan(['--build-arg', 'NOPE=1', join(examples, 'hello')]);
    expect(plan.unusedBuildArgs).to.deep.equal(['NOPE']);
    expect(plan.warnings.map((w) => w.rule)).to.include('UnusedBuildArg');
  });

  it('a bad --target is an error naming the stage, exit 1', async () => {
    const run = await runCli(['build', '--dry-run', '--target', 'nope', join(examples, 'args-and-targets')]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('target stage "nope" could not be found');
  });

  it('a malformed Dockerfile prints the located excerpt with a marker and exits 1', async () => {
    const dir = await mkdtemp(join(scratch, 'bad-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nRUN true\nCOPPY a b\nRUN true\n');
    const run = await runCli(['build', '--dry-run', dir]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^Dockerfile:3\n/);
    expect(run.stderr).to.match(/ 3 \| >>> COPPY a b/);
    expect(run.stderr).to.include('did you mean COPY?');
  });

  it('reads the Dockerfile from -f relative to the working directory and names it in errors', async () => {
    const dir = await mkdtemp(join(scratch, 'f-'));
    await writeFile(join(dir, 'Custom.Dockerfile'), 'FROM busybox\nWORKDIR\n');
    const run = await runCli(['build', '--dry-run', '-f', 'Custom.Dockerfile', '.'], { cwd: dir });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^Custom\.Dockerfile:2\n/);
  });

  it('reads the Dockerfile from stdin with -f -', async () => {
    const run = await runCli(['build', '--dry-run', '--format', 'json', '-f', '-', scratch], { stdin: 'FROM scratch\nENV A=1 B=$A\n' });
    const plan = JSON.parse(run.stdout) as JsonPlan;
    expect(plan.stages[0]!.steps[0]!.expanded).to.equal('ENV A=1 B=""');
  });

  it('--check reports lint findings and fails only under check=error=true', async () => {
    const dir = await mkdtemp(join(scratch, 'check-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM busybox as Build\nCMD echo hi\n');
    const warned = await runCli(['build', '--check', dir]);
    expect(warned.code).to.equal(0);
    expect(warned.stdout).to.include('JSONArgsRecommended');
    expect(warned.stdout).to.include('FromAsCasing');
    await writeFile(join(dir, 'Dockerfile'), '# check=error=true\nFROM busybox\nCMD echo hi\n');
    const failed = await runCli(['build', '--check', dir]);
    expect(failed.code).to.equal(1);
  });
});
