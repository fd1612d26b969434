// Spec helper: a temp context and rootfs, a StepContext over them, and COPY/ADD lines parsed and run.
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { addHandler } from '../../../executor/steps/add.js';
import { copyHandler } from '../../../executor/steps/copy.js';
import type { StageState, StepContext } from '../../../executor/steps/types.js';
import type { AddInstruction } from '../../../parser/instructions/add.js';
import type { CopyInstruction } from '../../../parser/instructions/copy.js';
import { parseDockerfile } from '../../../parser/stages.js';
import { contextFor, scratchState } from '../steps/dispatch-line.js';

export interface CopyWorld {
  readonly dir: string;
  readonly context: string;
  readonly rootfs: string;
  readonly stage: string;
  readonly ctx: StepContext;
  cleanup(): void;
}

export function makeWorld(): CopyWorld {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'copy-spec-'));
  const [context, rootfs, stage, state] = ['context', 'rootfs', 'stage', 'state'].map((name) => join(dir, name)) as [string, string, string, string];
  for (const path of [context, rootfs, stage, state]) fs.mkdirSync(path);
  const ctx: StepContext = {
    rootfs,
    contextDir: context,
    stateDir: state,
    sandbox: undefined as never,
    secrets: new Map(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    signal: new AbortController().signal,
    openSource: async () => ({ dir: stage, release: async () => undefined }),
  };
  return { dir, context, rootfs, stage, ctx, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function parseLine(line: string): CopyInstruction | AddInstruction {
  const ins = parseDockerfile(`FROM scratch\n${line}\n`).stages[0]!.instructions[0]!;
  if (ins.kind !== 'COPY' && ins.kind !== 'ADD') throw new Error(`not COPY/ADD: ${line}`);
  return ins;
}

/** Runs one COPY/ADD line (unexpanded) in `world` with the given WORKDIR. */
export async function runLine(world: CopyWorld, line: string, workdir?: string): Promise<void> {
  const ins = parseLine(line);
  const state: StageState = { ...scratchState(), config: workdir ? { WorkingDir: workdir } : {} };
  if (ins.kind === 'COPY') await copyHandler.execute!(world.ctx, state, ins);
  else await addHandler.execute!(world.ctx, state, ins);
}

export function historyOf(line: string): string {
  const ins = parseLine(line);
  const state = ins.kind === 'COPY' ? copyHandler.apply(scratchState(), ins, contextFor()) : addHandler.apply(scratchState(), ins, contextFor());
  return state.history.at(-1)!.created_by!;
}

export function writeFiles(base: string, files: Record<string, string>): void {
  for (const [path, data] of Object.entries(files)) {
    fs.mkdirSync(join(base, path, '..'), { recursive: true });
    fs.writeFileSync(join(base, path), data);
  }
}

export function modeOf(path: string): number {
  return fs.lstatSync(path).mode & 0o7777;
}
