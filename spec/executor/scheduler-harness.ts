// A real root in a temp folder (content store, key index, snapshots) with fake RUN steps, so the
// scheduler's ordering, caching and cleanup can be tested without a sandbox. A fake RUN's words say
// what it does:
//   write NAME VALUE   writes /NAME             noop           changes nothing
//   nolayer            changes nothing, and its history entry says it has no layer (like WORKDIR /)
//   sleep MS NAME      records its start and end, writes /NAME after MS milliseconds
//   fail               throws                   hang           waits until the build is aborted
//   from STAGE NAME    copies /NAME from stage STAGE (a stage input; add
//                      `--mount=from=NAME,target=/m` so the plan sees the dependency)
//   fromname REF NAME  like from, naming the source as an image reference (a stage's name or an image)
//   ctx PATH           copies PATH from the context (a context input)
//   echo TEXT          prints TEXT on stdout
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContentStore } from '../../cache/content-store.js';
import { BuildContext } from '../../cache/context.js';
import { KeyIndex } from '../../cache/key-index.js';
import { createRootFolders, rootLayout, type RootLayout } from '../../cache/root.js';
import type { BaseImageSource } from '../../executor/base-image.js';
import { withHistory } from '../../executor/dispatch-history.js';
import { dispatchInstruction, type DispatchedInstruction } from '../../executor/dispatch.js';
import { FakeSandbox } from '../../executor/sandbox/fake-sandbox.js';
import { runPlan, type BuildEvent, type SchedulerResult } from '../../executor/scheduler.js';
import { ContextDigests } from '../../executor/scheduler-inputs.js';
import { SnapshotStore } from '../../executor/snapshot-store.js';
import type { DispatchContext, StageState, StepHandler, StepInput } from '../../executor/steps/types.js';
import { TsbuildError } from '../../lib/errors.js';
import type { Instruction } from '../../parser/instructions/index.js';
import { planBuild } from '../../parser/plan.js';
import { parseDockerfile } from '../../parser/stages.js';

export const PLATFORM = { os: 'linux', architecture: 'amd64' };

export interface Harness {
  readonly dir: string;
  readonly layout: RootLayout;
  readonly contextDir: string;
  readonly content: ContentStore;
  readonly index: KeyIndex;
  readonly snapshots: SnapshotStore;
  /** `sleep` steps' [name, start, end] times. */
  readonly timeline: { name: string; start: number; end: number }[];
  /** Names of `hang` steps that saw the abort. */
  readonly abortsSeen: string[];
  dispose(): Promise<void>;
}

export async function makeHarness(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-scheduler-'));
  const layout = rootLayout(join(dir, 'root'));
  await createRootFolders(layout);
  const contextDir = join(dir, 'context');
  await mkdir(contextDir);
  const content = await ContentStore.open(layout);
  return {
    dir,
    layout,
    contextDir,
    content,
    index: new KeyIndex(layout),
    snapshots: new SnapshotStore(layout, content),
    timeline: [],
    abortsSeen: [],
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

function words(ins: Instruction): string[] {
  // Flags (a `--mount=from=` that makes the plan see a stage dependency) are not words.
  return ins.original.split(/\s+/).slice(1).filter((word) => !word.startsWith('--'));
}

function fakeInputs(args: readonly string[]): StepInput[] | undefined {
  if (args[0] === 'from') return [{ source: 'stage', stageIndex: Number(args[1]) }];
  if (args[0] === 'fromname') return [{ source: 'image', ref: args[1]! }];
  if (args[0] === 'ctx') return [{ source: 'context', paths: [args[1]!] }];
  return undefined;
}

function fakeRun(harness: Harness): StepHandler<'RUN'> {
  return {
    kind: 'RUN',
    apply: (state, ins) => withHistory(state, ins.original, words(ins)[0] !== 'nolayer'),
    describe: (_state, ins) => {
      const inputs = fakeInputs(words(ins));
      return inputs ? { op: { text: ins.original }, inputs } : { op: { text: ins.original } };
    },
    async execute(ctx, _state, ins) {
      const [verb, first, second] = words(ins);
      switch (verb) {
        case 'write':
          return writeFile(join(ctx.rootfs, first!), second ?? '');
        case 'noop':
        case 'nolayer':
          return;
        case 'sleep': {
          const start = Date.now();
          await sleep(Number(first), undefined, { signal: ctx.signal });
          harness.timeline.push({ name: second!, start, end: Date.now() });
          return writeFile(join(ctx.rootfs, second!), 'slept');
        }
        case 'fail':
          throw new Error('the fake step failed');
        case 'hang':
          // The abort may already have come while the step's rootfs was being prepared.
          if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          harness.abortsSeen.push(first ?? 'hang');
          throw new TsbuildError('E_ABORTED', 'the sandbox run was aborted');
        case 'from': {
          const tree = await ctx.openSource({ source: 'stage', stageIndex: Number(first) });
          return copyFile(join(tree.dir, second!), join(ctx.rootfs, second!));
        }
        case 'fromname': {
          const tree = await ctx.openSource({ source: 'image', ref: first! });
          return copyFile(join(tree.dir, second!), join(ctx.rootfs, second!));
        }
        case 'ctx':
          return copyFile(join(ctx.contextDir, first!), join(ctx.rootfs, first!));
        case 'echo':
          ctx.stdout.write(`${first}\n`);
          return;
        default:
          throw new Error(`unknown fake step ${verb}`);
      }
    },
  };
}

/** RUN goes to the fake handler; every other instruction to the real dispatcher. */
export function fakeDispatch(harness: Harness) {
  const run = fakeRun(harness);
  return (state: StageState, ins: Instruction, ctx: DispatchContext): DispatchedInstruction => {
    if (ins.kind !== 'RUN') return dispatchInstruction(state, ins, ctx) as unknown as DispatchedInstruction;
    return { state: run.apply(state, ins, ctx), expanded: ins, description: run.describe(state, ins, ctx), handler: run } as unknown as DispatchedInstruction;
  };
}

const NO_IMAGES: BaseImageSource = {
  resolve: (ref) => Promise.reject(new TsbuildError('E_NOT_FOUND', `No such image: ${ref}`)),
};

export interface RunOptions {
  readonly noCache?: boolean;
  readonly explain?: boolean;
  readonly signal?: AbortSignal;
  readonly events?: BuildEvent[];
  readonly target?: string;
  readonly images?: BaseImageSource;
}

export async function runFake(harness: Harness, text: string, options: RunOptions = {}): Promise<SchedulerResult> {
  const parsed = parseDockerfile(text, { file: 'Dockerfile' });
  const plan = planBuild(parsed, { platform: PLATFORM, file: 'Dockerfile', ...(options.target ? { target: options.target } : {}) });
  const context = await BuildContext.open(harness.contextDir);
  const digests = new ContextDigests(context);
  return runPlan({
    plan,
    escapeToken: parsed.escapeToken,
    platform: PLATFORM,
    images: options.images ?? NO_IMAGES,
    snapshots: harness.snapshots,
    index: harness.index,
    content: harness.content,
    contextDir: context.root,
    contextDigest: (input) => digests.digest(input),
    sandbox: new FakeSandbox(),
    stateDir: join(harness.layout.root, 'state'),
    file: 'Dockerfile',
    sourceText: text,
    dispatch: fakeDispatch(harness),
    ...(options.noCache ? { noCache: true } : {}),
    ...(options.explain ? { explainMisses: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.events ? { onEvent: (event: BuildEvent) => options.events!.push(event) } : {}),
  });
}

/** A file of the stage's final filesystem, read through its snapshots (topmost wins). */
export async function readFromState(harness: Harness, state: StageState, name: string): Promise<string | undefined> {
  for (const tree of await harness.snapshots.ensure(state.layers)) {
    const text = await readFile(join(tree, name), 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** What a build may leave behind: mounts under the harness folder and entries in tmp/. */
export async function leftovers(harness: Harness): Promise<{ mounts: string[]; temp: string[] }> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const mounts = mountinfo.split('\n').filter((line) => line.includes(harness.dir));
  return { mounts, temp: await readdir(harness.layout.tmp) };
}
