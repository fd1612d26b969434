// COPY: files from the build context, another stage or an image (`--from`), or heredocs, into the
// rootfs through the copy engine. Always one layer; history as BuildKit 0.13 writes it.
import { withHistory } from '../dispatch-history.js';
import { checkDest, copyHistoryText, copyOp, fromInput, runCopy, type StageNames } from '../copy/copy-step.js';
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
    if (ins.from !== undefined) inputs.push(fromInput(ins.from, ctx as StageNames));
    else if (ins.sources.length > 0) inputs.push({ source: 'context', paths: [...ins.sources], ...(ins.exclude.length > 0 ? { exclude: [...ins.exclude] } : {}) });
    return { op: { ...copyOp(state, ins), ...(ins.from !== undefined ? { from: ins.from } : {}) }, inputs };
  },
  async execute(ctx, state, ins) {
    if (ins.from === undefined) return runCopy(ctx, state, ins, ctx.contextDir, ins.sources);
    const tree = await ctx.openSource(fromInput(ins.from, ctx as StageNames));
    try {
      await runCopy(ctx, state, ins, tree.dir, ins.sources, true);
    } finally {
      await tree.release();
    }
  },
};
