// `--cache-to` and `--cache-from` values as buildx reads them: `type=registry,ref=REF[,mode=min|max]`,
// `type=local,dest=DIR[,mode=…]` / `type=local,src=DIR`, and a bare `REF` meaning a registry ref
// (cache-from only, as buildx). Unknown types and keys are refused rather than ignored (SECURITY
// lesson 8); a malformed ref fails here, before anything is built.
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { formatReference, parseReference, withDefaultTag } from '../image/reference.js';

export type CacheLocation = { readonly type: 'registry'; readonly ref: string } | { readonly type: 'local'; readonly dir: string };

export type CacheImportSpec = CacheLocation;

export type CacheExportSpec = CacheLocation & {
  /** min: the steps whose layers make the final image; max: every stage's steps. */
  readonly mode: 'min' | 'max';
  /** A failed export is a warning, not a failed build. */
  readonly ignoreError: boolean;
};

const FROM_KEYS = new Set(['type', 'ref', 'src']);
const TO_KEYS = new Set(['type', 'ref', 'dest', 'mode', 'ignore-error', 'oci-mediatypes', 'image-manifest']);
/** buildx keys whose `true` is what tsbuild writes anyway (an OCI image manifest); `false` cannot be had. */
const ALWAYS_TRUE = ['oci-mediatypes', 'image-manifest'];

export function parseCacheFrom(text: string, cwd: string): CacheImportSpec {
  if (!text.includes('=')) return { type: 'registry', ref: cacheRef(text, text, '--cache-from') };
  const fields = cacheFields(text, FROM_KEYS, '--cache-from');
  return location(text, fields, 'src', cwd, '--cache-from');
}

export function parseCacheTo(text: string, cwd: string): CacheExportSpec {
  const fields = cacheFields(text, TO_KEYS, '--cache-to');
  const mode = fields.get('mode') ?? 'min';
  if (mode !== 'min' && mode !== 'max') throw new UsageError(`invalid --cache-to "${text}": mode must be min or max`);
  for (const key of ALWAYS_TRUE) {
    if ((fields.get(key) ?? 'true') !== 'true') throw new UsageError(`invalid --cache-to "${text}": only ${key}=true is supported (the cache is always an OCI image manifest)`);
  }
  const ignoreError = fields.get('ignore-error') ?? 'false';
  if (ignoreError !== 'true' && ignoreError !== 'false') throw new UsageError(`invalid --cache-to "${text}": ignore-error must be true or false`);
  return { ...location(text, fields, 'dest', cwd, '--cache-to'), mode, ignoreError: ignoreError === 'true' };
}

/** How a cache location is named in messages. */
export function describeLocation(location: CacheLocation): string {
  return location.type === 'registry' ? location.ref : `local folder ${location.dir}`;
}

function location(text: string, fields: ReadonlyMap<string, string>, folderKey: 'src' | 'dest', cwd: string, flag: string): CacheLocation {
  const type = fields.get('type');
  if (type === 'registry') {
    const ref = fields.get('ref');
    if (!ref) throw new UsageError(`invalid ${flag} "${text}": type=registry needs ref=REF`);
    return { type, ref: cacheRef(ref, text, flag) };
  }
  if (type === 'local') {
    const dir = fields.get(folderKey);
    if (!dir) throw new UsageError(`invalid ${flag} "${text}": type=local needs ${folderKey}=DIR`);
    return { type, dir: resolve(cwd, dir) };
  }
  throw new UsageError(`invalid ${flag} "${text}": type must be registry or local${type ? ` (${type} is not supported)` : ''}`);
}

function cacheFields(text: string, keys: ReadonlySet<string>, flag: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of text.split(',')) {
    const equals = field.indexOf('=');
    const key = (equals < 0 ? field : field.slice(0, equals)).trim().toLowerCase();
    if (!keys.has(key)) throw new UsageError(`invalid ${flag} "${text}": unknown key ${JSON.stringify(key)}`);
    fields.set(key, equals < 0 ? 'true' : field.slice(equals + 1));
  }
  return fields;
}

/** The ref in full form with its tag (`latest` when none); refs by digest cannot be written to. */
function cacheRef(ref: string, text: string, flag: string): string {
  let reference;
  try {
    reference = withDefaultTag(parseReference(ref));
  } catch (error) {
    throw new UsageError(`invalid ${flag} "${text}": ${(error as Error).message}`);
  }
  if (flag === '--cache-to' && reference.digest !== undefined) throw new UsageError(`invalid ${flag} "${text}": name a tag, not a digest`);
  return formatReference(reference);
}
