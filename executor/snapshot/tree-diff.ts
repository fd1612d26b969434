// The walking differ for the copy fallback: the base tree (the lowers flattened before the step)
// and the current tree (after the step) are walked side by side in name order, like continuity's
// doubleWalkDiff. Entries are compared with the same sameEntry rule as the overlay differ, and a
// folder replaced by a non-folder is one modification (no whiteouts for its old children: the
// reader replaces the folder), exactly what the overlay differ reports, so both give one layer.
import { join } from 'node:path';
import { type Change, compareNames, isMultiplyLinked, sameEntry, sortedChildren } from './change.js';
import type { LayerChanges } from './layer-diff.js';
import { lstatBig } from './lower-view.js';
import type { OwnerChangeCheck } from './owner-table.js';

/** `ownerChanged` (builds without root): owners live in tables, so equal host owners prove nothing. */
export async function diffTrees(base: string, current: string, ownerChanged?: OwnerChangeCheck): Promise<LayerChanges> {
  const changes: Change[] = [];
  await diffFolder(base, current, [], changes, ownerChanged);
  return { changes, sourceRoot: current };
}

async function diffFolder(base: string, current: string, components: readonly string[], out: Change[], ownerChanged?: OwnerChangeCheck): Promise<void> {
  const before = sortedChildren(join(base, ...components));
  const after = sortedChildren(join(current, ...components));
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const order = i >= before.length ? 1 : j >= after.length ? -1 : compareNames(before[i]!, after[j]!);
    if (order < 0) {
      out.push({ kind: 'delete', path: [...components, before[i++]!].join('/') });
    } else if (order > 0) {
      await addTree(current, [...components, after[j++]!], out);
    } else {
      await diffEntry(base, current, [...components, after[j]!], out, ownerChanged);
      i++;
      j++;
    }
  }
}

async function diffEntry(base: string, current: string, components: readonly string[], out: Change[], ownerChanged?: OwnerChangeCheck): Promise<void> {
  const beforeHost = join(base, ...components);
  const host = join(current, ...components);
  const [was, now] = [lstatBig(beforeHost), lstatBig(host)];
  const path = components.join('/');
  if (!(await sameEntry({ info: was!, host: beforeHost }, { info: now!, host })) || (await ownerChanged?.(path, was!, host, now!))) {
    out.push({ kind: 'modify', path, stat: now!, host });
  } else if (isMultiplyLinked(now!)) {
    out.push({ kind: 'unmodified', path, stat: now!, host });
  }
  if (!now!.isDirectory()) return;
  if (was!.isDirectory()) await diffFolder(base, current, components, out, ownerChanged);
  else for (const name of sortedChildren(host)) await addTree(current, [...components, name], out);
}

async function addTree(current: string, components: readonly string[], out: Change[]): Promise<void> {
  const host = join(current, ...components);
  const info = lstatBig(host)!;
  out.push({ kind: 'add', path: components.join('/'), stat: info, host });
  if (!info.isDirectory()) return;
  for (const name of sortedChildren(host)) await addTree(current, [...components, name], out);
}
