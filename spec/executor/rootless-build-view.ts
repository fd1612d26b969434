// Reads files of an image in a root by name (its layers' snapshot trees, topmost first), for a
// child process that has no fixture object.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentStore } from '../../cache/content-store.js';
import { rootLayout } from '../../cache/root.js';
import { SnapshotStore } from '../../executor/snapshot-store.js';
import { ImageStore } from '../../lib/store/image-store.js';

export function makeBuildFixtureView(root: string): { files(reference: string, paths: readonly string[]): Promise<Record<string, string | null>> } {
  const layout = rootLayout(root);
  return {
    async files(reference, paths) {
      const image = await (await ImageStore.open(layout)).resolve(reference);
      const trees = (await new SnapshotStore(layout, await ContentStore.open(layout)).ensure(image.layers)).reverse();
      const out: Record<string, string | null> = {};
      for (const path of paths) {
        out[path] = null;
        for (const tree of trees) {
          const text = await readFile(join(tree, path), 'utf8').catch(() => undefined);
          if (text !== undefined) {
            out[path] = text;
            break;
          }
        }
      }
      return out;
    },
  };
}
