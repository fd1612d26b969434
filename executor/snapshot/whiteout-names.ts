// The OCI/AUFS whiteout naming convention (image-spec layer.md): `dir/.wh.name` deletes `name`
// from the layers below, `dir/.wh..wh..opq` hides everything below in `dir`, and other
// `.wh..wh.` names are AUFS bookkeeping. A whiteout must name exactly one child of its folder:
// `.wh.`, `.wh..` and `.wh...` would name the folder itself or its parent, so they are refused
// (containerd validateWhiteout, image-spec PR #1314, stereoscope#647 where `/etc/.wh.` wiped /etc).
import { posix } from 'node:path';
import { ArchiveError } from './archive-error.js';

export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type WhiteoutName =
  | { readonly kind: 'none' }
  /** Delete `target` (a clean relative path) from the layers below. */
  | { readonly kind: 'whiteout'; readonly dir: string; readonly target: string }
  /** Hide everything the layers below have in `dir` ('' is the root). */
  | { readonly kind: 'opaque'; readonly dir: string }
  /** AUFS metadata such as `.wh..wh.plnk`: never content, skipped like moby does. */
  | { readonly kind: 'meta' };

/** Classifies a clean entry name; throws for whiteouts that do not name a single child. */
export function classifyWhiteout(name: string, rawName: string): WhiteoutName {
  const parts = name.split('/');
  const isMeta = (part: string, i: number) => part.startsWith(WHITEOUT_META_PREFIX) && !(part === OPAQUE_MARKER && i === parts.length - 1);
  if (parts.some(isMeta)) return { kind: 'meta' };
  const base = posix.basename(name);
  const dir = name.includes('/') ? posix.dirname(name) : '';
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  const original = base.slice(WHITEOUT_PREFIX.length);
  if (original === '' || original === '.' || original === '..') {
    throw new ArchiveError('invalid-whiteout', `invalid whiteout name ${JSON.stringify(rawName)}: it does not name a single entry`, { entry: rawName });
  }
  return { kind: 'whiteout', dir, target: dir === '' ? original : `${dir}/${original}` };
}

/** True when a name is one a layer reader would take as a whiteout or AUFS marker. */
export function isWhiteoutLikeName(baseName: string): boolean {
  return baseName.startsWith(WHITEOUT_PREFIX);
}
