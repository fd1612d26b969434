// A depth-first walk of a folder in the order Go's filepath.Walk uses (names sorted by bytes),
// which is the order containerd and BuildKit write layer entries in. It never follows symlinks:
// only real folders are descended into. Iterative, so deep trees cannot exhaust the stack.
import type { BigIntStats } from 'node:fs';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { sortedChildren } from './change.js';

export interface WalkEntry {
  readonly components: readonly string[];
  readonly host: string;
  readonly info: BigIntStats;
}

interface Frame {
  readonly components: readonly string[];
  readonly names: readonly string[];
  next: number;
}

/** Every entry below `root` (the root itself excluded), parents before their children. */
export async function* walkTree(root: string): AsyncGenerator<WalkEntry> {
  const stack: Frame[] = [{ components: [], names: sortedChildren(root), next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const name = frame.names[frame.next++];
    if (name === undefined) {
      stack.pop();
      continue;
    }
    const components = [...frame.components, name];
    const host = join(root, ...components);
    const info = lstatSync(host, { bigint: true });
    yield { components, host, info };
    if (info.isDirectory()) stack.push({ components, names: sortedChildren(host), next: 0 });
  }
}
