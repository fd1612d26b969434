// ADD: COPY plus local tar archives unpacked (detected by content), http(s) downloads and Git
// sources. Local archives unpack unless `--unpack=false`; downloads only with `--unpack`.
import { join } from 'node:path';
import { TsbuildError } from '../../lib/errors.js';
import { withHistory } from '../dispatch-history.js';
import { download, isGitSource, isRemoteUrl } from '../copy/add-url.js';
import { checkDest, copyHistoryText, copyOp, copyOptions, runCopy } from '../copy/copy-step.js';
import { contextVisibility, type ContextTreeExtras } from '../context-trees.js';
import { resolveDest, TreeCopier } from '../copy/copy-tree.js';
import { cleanSourcePath, hasWildcard } from '../copy/source-match.js';
import { InRoot } from '../snapshot/in-root.js';
import type { StageState, StepContext, StepHandler, StepInput } from './types.js';
import type { AddInstruction } from '../../parser/instructions/add.js';

function describeInputs(ins: AddInstruction): StepInput[] {
  const inputs: StepInput[] = [];
  const local = ins.sources.filter((source) => !isRemoteUrl(source) && !isGitSource(source));
  for (const source of ins.sources) {
    if (isRemoteUrl(source) || isGitSource(source)) inputs.push({ source: 'url', url: source, ...(ins.checksum ? { checksum: ins.checksum } : {}) });
  }
  if (local.length > 0) inputs.unshift({ source: 'context', paths: local, ...(ins.exclude.length > 0 ? { exclude: [...ins.exclude] } : {}) });
  return inputs;
}

/** The host path of a plain (non-wildcard) local source if it is a regular file inside the context. */
async function localFileHost(contextDir: string, source: string): Promise<string | undefined> {
  if (hasWildcard(source)) return undefined;
  const tree = await InRoot.open(contextDir);
  const { existing, missing } = await tree.resolve(cleanSourcePath(source), true);
  return missing.length === 0 && existing.length > 0 ? tree.hostPath(existing) : undefined;
}

async function addRemote(ctx: StepContext, state: StageState, ins: AddInstruction, url: string): Promise<void> {
  if (isGitSource(url)) throw new TsbuildError('E_STEP', `ADD of Git sources: Git sources are not supported yet: ${url}`);
  if (ins.unpack === true) throw new TsbuildError('E_STEP', 'ADD --unpack of a download is not supported yet');
  const file = await download(url, ins.checksum, ctx.signal, join(ctx.stateDir, 'add-downloads'));
  try {
    const { path, isDir } = resolveDest(ins.dest, state.config.WorkingDir);
    const copier = await TreeCopier.open(ctx.rootfs, await copyOptions(ctx, ins));
    await copier.writeInline([{ name: file.name, data: { hostFile: file.file }, mode: 0o600, ...(file.mtime ? { mtime: file.mtime } : {}) }], path, isDir);
  } finally {
    await file.remove();
  }
}

async function addLocal(ctx: StepContext, state: StageState, ins: AddInstruction, source: string): Promise<void> {
  const host = await localFileHost(ctx.contextDir, source);
  // The archive reader (and the layer machinery under it) is loaded only when an ADD runs.
  const { archiveCompression, unpackArchive } = await import('../copy/add-archive.js');
  const compression = host !== undefined && ins.unpack !== false ? await archiveCompression(host) : null;
  if (host === undefined || compression === null) {
    return runCopy(ctx, state, { ...ins, sources: [source], heredocSources: [], dest: ins.dest }, ctx.contextDir, [source], false, contextVisibility(ctx as StepContext & ContextTreeExtras));
  }
  const { path } = resolveDest(ins.dest, state.config.WorkingDir);
  const owner = (await copyOptions(ctx, ins)).owner;
  await unpackArchive(ctx.rootfs, host, compression, path, owner, ctx.signal, `ADD source ${JSON.stringify(source)}`);
}

export const addHandler: StepHandler<'ADD'> = {
  kind: 'ADD',
  apply(state, ins) {
    return withHistory(state, copyHistoryText('ADD', ins), true);
  },
  describe(state, ins) {
    checkDest(ins);
    const op = { ...copyOp(state, ins), checksum: ins.checksum ?? '', unpack: ins.unpack ?? null, keepGitDir: ins.keepGitDir ?? false };
    return { op, inputs: describeInputs(ins) };
  },
  async execute(ctx, state, ins) {
    checkDest(ins);
    for (const source of ins.sources) {
      if (isRemoteUrl(source) || isGitSource(source)) await addRemote(ctx, state, ins, source);
      else await addLocal(ctx, state, ins, source);
    }
    if (ins.heredocSources.length > 0) await runCopy(ctx, state, { ...ins, sources: [] }, ctx.contextDir, []);
  },
};

