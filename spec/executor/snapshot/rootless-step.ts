// Not a spec: the child process overlay.spec.ts runs as an unprivileged user inside
// `unshare --user --map-root-user --mount`, to show the snapshot path works rootless (whiteouts
// made with mknod 0/0 in a user namespace, overlay mounted with userxattr). Prints JSON.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectOverlaySupport } from '../../../executor/snapshot/overlay.js';
import { listTar } from './tree-listing.js';
import { runStep, snapshotChain } from './step-harness.js';

async function main(work: string): Promise<void> {
  mkdirSync(join(work, 'store'), { recursive: true });
  const support = await detectOverlaySupport(work);
  const lowers = await snapshotChain(join(work, 'store'), [
    [{ name: 'etc/a', data: 'a' }, { name: 'etc/b', data: 'b' }, { name: 'opt/x', data: 'x' }],
    [{ name: 'etc/.wh.b', data: '' }, { name: 'opt/.wh..wh..opq', data: '' }, { name: 'opt/y', data: 'y' }],
  ]);
  const layer = await runStep(lowers, 'overlay', async (merged) => {
    const { unlinkSync, writeFileSync } = await import('node:fs');
    unlinkSync(join(merged, 'etc/a'));
    writeFileSync(join(merged, 'opt/z'), 'z');
  });
  process.stdout.write(JSON.stringify({ support, kind: layer.kind, entries: (await listTar(layer.tar)).map((e) => e.name) }));
}

main(process.argv[2]!).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
