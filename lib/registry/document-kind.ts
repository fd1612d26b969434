// CVE-2021-41190 (GHSA-77vh-xpmg-72qh): one blob must not read as a manifest to one client and as
// an index to another. A document is refused when it carries the fields of another kind, as
// moby's DetectManifestBlobMediaType table and containerd's validateMediaType refuse it.
import { RegistryError } from './errors.js';

const FOREIGN_FIELDS: Record<'manifest' | 'index', readonly string[]> = {
  manifest: ['manifests', 'fsLayers'],
  index: ['config', 'layers', 'fsLayers'],
};

/** Throws unless the JSON document `bytes` holds only the fields of `kind`. */
export function refuseAmbiguousDocument(bytes: Buffer, kind: 'manifest' | 'index', where: string): void {
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    return; // not JSON: the parser that follows says so
  }
  if (typeof document !== 'object' || document === null) return;
  const foreign = FOREIGN_FIELDS[kind].filter((field) => field in document);
  if (foreign.length > 0) {
    throw new RegistryError('protocol', `${where}: ambiguous ${kind}: it also has ${foreign.map((f) => `"${f}"`).join(', ')}, so it could be read as another kind of document`);
  }
}
