// COPY: files from the build context, another stage or an image (`--from`), or heredocs, into the
// rootfs through the copy engine. Always one layer; history as BuildKit 0.13 writes it.
import { withHistory } from '../dispatch-history.js';
import { checkDest, copyHistoryText, copyOp, fromInput, runCopy, type StageNames } from '../copy/copy-step.js';
import { contextVisibility, isLocalContext, localContextTree, type ContextTreeExtras } from '../context-trees.js';
import type { StepHandler, StepInput } from './types.js';

/** BuildKit's history text ends in ` # buildkit`; withHistory takes it as the created_by. */
export const copyHandler: StepHandler<'COPY'> = {
  kind: 'COPY',
  apply(state, ins) {
    return withHistory(state, copyHistoryText('COPY', ins), true);
  },
  describe(state, ins, ctx) {
    checkDest(ins);
    const inputs: StepInput[] = [];
    const named = ins.from !== undefined && isLocalContext(ctx as ContextTreeExtras, ins.from);
    if (ins.from !== undefined && !named) inputs.push(fromInput(ins.from, ctx as StageNames));
    else if (ins.sources.length > 0) inputs.push({ source: 'context', paths: [...ins.sources], ...(ins.exclude.length > 0 ? { exclude: [...ins.exclude] } : {}), ...(named ? { context: ins.from! } : {}) });
    return { op: { ...copyOp(state, ins), ...(ins.from !== undefined ? { from: ins.from } : {}) }, inputs };
  },
  async execute(ctx, state, ins) {
    const extras = ctx as typeof ctx & ContextTreeExtras;
    if (ins.from === undefined) return runCopy(ctx, state, ins, ctx.contextDir, ins.sources, false, contextVisibility(extras));
    if (isLocalContext(extras, ins.from)) return runCopy(ctx, state, ins, localContextTree(extras, ins.from).dir, ins.sources, false, contextVisibility(extras, ins.from));
    const tree = await ctx.openSource(fromInput(ins.from, ctx as StageNames));
    try {
      await runCopy(ctx, state, ins, tree.dir, ins.sources, true);
    } finally {
      await tree.release();
    }
  },
};
