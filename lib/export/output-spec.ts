// `-o/--output` values as buildx reads them: `type=docker,dest=out.tar`, `type=oci,dest=DIR,tar=false`,
// `type=local,dest=DIR`, `type=tar,dest=-`, `type=registry[,name=REF]` and `type=image[,name=REF][,push=true]`
// (the image is in the store already; these only push it), plus the shorthands `-o DIR` (local)
// and `-o -` (a tar on stdout). Unknown types and keys are refused rather than ignored (SECURITY lesson 8).
import { UsageError } from '../errors.js';
import type { ExportCompression } from './export-image.js';

export type OutputType = 'docker' | 'oci' | 'local' | 'tar' | 'registry' | 'image';

export interface OutputSpec {
  readonly type: OutputType;
  /** A path, or `-` for stdout (tar forms only). */
  readonly dest: string;
  /** oci only: false writes an OCI layout folder instead of a tar. */
  readonly tar: boolean;
  readonly compression: ExportCompression;
  readonly compressionLevel?: number;
  /** BuildKit's rewrite-timestamp: clamp layer mtimes to SOURCE_DATE_EPOCH (docker/oci outputs). */
  readonly rewriteTimestamp?: boolean;
  /** Image names for docker/oci/registry/image outputs (default: the build's tags). */
  readonly names?: readonly string[];
  /** registry (always) and image,push=true: push the image under its names after the build. */
  readonly push?: boolean;
}

const KEYS = new Set(['type', 'dest', 'tar', 'compression', 'compression-level', 'name', 'force-compression', 'oci-mediatypes', 'rewrite-timestamp', 'push']);

export function parseOutputSpec(text: string): OutputSpec {
  if (!text.includes('=')) return text === '-' ? { type: 'tar', dest: '-', tar: true, compression: 'none' } : { type: 'local', dest: text, tar: false, compression: 'none' };
  const fields = new Map<string, string>();
  for (const field of text.split(',')) {
    const equals = field.indexOf('=');
    const key = (equals < 0 ? field : field.slice(0, equals)).trim().toLowerCase();
    if (!KEYS.has(key)) throw new UsageError(`invalid output "${text}": unknown key ${JSON.stringify(key)}`);
    fields.set(key, equals < 0 ? 'true' : field.slice(equals + 1));
  }
  const type = fields.get('type');
  if (type === 'registry' || type === 'image') return pushOutput(type, fields, text);
  if (type !== 'docker' && type !== 'oci' && type !== 'local' && type !== 'tar') {
    throw new UsageError(`invalid output "${text}": type must be one of docker, oci, local, tar, registry, image`);
  }
  const dest = fields.get('dest');
  if (!dest) throw new UsageError(`invalid output "${text}": dest is required`);
  const tar = type !== 'local' && booleanField(fields.get('tar') ?? 'true', 'tar', text);
  if (type === 'local' && dest === '-') throw new UsageError(`invalid output "${text}": type=local needs a folder, not stdout`);
  if (!tar && dest === '-') throw new UsageError(`invalid output "${text}": tar=false needs a folder, not stdout`);
  const imageType = type === 'docker' || type === 'oci';
  const compression = imageType ? compressionField(fields.get('compression') ?? 'gzip', text) : 'none';
  const level = fields.get('compression-level');
  const names = fields.get('name');
  return {
    type,
    dest,
    tar,
    compression,
    ...(level !== undefined ? { compressionLevel: levelField(level, text) } : {}),
    ...(names ? { names: names.split(/[;,]/).filter(Boolean) } : {}),
    ...(imageType && booleanField(fields.get('rewrite-timestamp') ?? 'false', 'rewrite-timestamp', text) ? { rewriteTimestamp: true } : {}),
  };
}

/** registry/image outputs: no file; names and whether to push (a registry output always pushes). */
function pushOutput(type: 'registry' | 'image', fields: ReadonlyMap<string, string>, text: string): OutputSpec {
  if (fields.has('dest')) throw new UsageError(`invalid output "${text}": type=${type} takes name=REF, not dest`);
  const push = type === 'registry' || booleanField(fields.get('push') ?? 'false', 'push', text);
  if (type === 'registry' && fields.has('push') && !booleanField(fields.get('push')!, 'push', text)) throw new UsageError(`invalid output "${text}": type=registry always pushes`);
  const names = fields.get('name');
  return { type, dest: '', tar: false, compression: 'gzip', push, ...(names ? { names: names.split(/[;,]/).filter(Boolean) } : {}) };
}

function booleanField(value: string, key: string, text: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`invalid output "${text}": ${key} must be true or false`);
}

function compressionField(value: string, text: string): ExportCompression {
  if (value === 'gzip') return 'gzip';
  if (value === 'uncompressed') return 'none';
  throw new UsageError(`invalid output "${text}": compression must be gzip or uncompressed${value === 'zstd' || value === 'estargz' ? ` (${value} is not supported)` : ''}`);
}

function levelField(value: string, text: string): number {
  if (!/^[0-9]$/.test(value)) throw new UsageError(`invalid output "${text}": compression-level must be 0 to 9`);
  return Number(value);
}
