// Turns a parsed tar header into the one shape the layer reader trusts. Every field of a header is
// attacker input: names are cleaned the way moby's go-archive does (leading `/` stripped, then
// path.Clean, then anything still climbing out with `..` refused as "invalid entry name"), ids and
// sizes are range-checked, and PAX records are bounded before anything uses them.
import { posix } from 'node:path';
import type { Header } from 'tar-stream';
import { ArchiveError, budgetExceeded } from './archive-error.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One archive entry after validation. `name` is clean, relative and never climbs out. */
export interface LayerEntry {
  /** The name exactly as the archive wrote it, for messages. */
  readonly rawName: string;
  readonly name: string;
  readonly type: EntryType;
  /** Permission bits including setuid, setgid and sticky (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: Date;
  readonly size: number;
  /** Symlink target (verbatim) or hard link target name (as written). */
  readonly linkname: string;
  readonly devmajor: number;
  readonly devminor: number;
  /**
   * `SCHILY.xattr.*` PAX records. Recorded, never applied: Node cannot set extended attributes,
   * and applying `trusted.overlay.*` from a layer would let it forge overlay metadata (SECURITY B10).
   */
  readonly xattrs: Readonly<Record<string, string>>;
}

/** What the header-level checks need to know about the budgets. */
export interface HeaderLimits {
  readonly maxDepth: number;
  readonly maxPaxBytes: number;
}

/** tar-stream's header, typed as it really arrives: unknown typeflags decode to a null type. */
export type ParsedHeader = Omit<Partial<Header>, 'type' | 'pax'> & {
  name: string;
  type?: Header['type'] | null;
  pax?: Record<string, string> | null;
};

const XATTR_PREFIX = 'SCHILY.xattr.';
/** uid_t is 32 bits and (uid_t)-1 means "leave unchanged" to chown(2), so it is not a real owner. */
const MAX_ID = 0xffff_fffe;

const TYPES: Partial<Record<Header['type'], EntryType>> = {
  file: 'file',
  'contiguous-file': 'file', // GNU tar and Go treat typeflag '7' as a regular file
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/**
 * The clean, root-relative form of an entry name, or null when it names the root itself
 * (`.`, `/`, `./`), which extraction skips as containerd and moby do.
 */
export function cleanEntryName(raw: string): string | null {
  if (raw.includes('\0')) throw new ArchiveError('invalid-entry-name', `invalid entry name ${JSON.stringify(raw)}`, { entry: raw });
  // Strip every leading slash (CVE-2021-32804 stripped only one), then clean.
  const cleaned = posix.normalize(raw.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (cleaned === '' || cleaned === '.') return null;
  if (cleaned === '..' || cleaned.startsWith('../')) {
    throw new ArchiveError('invalid-entry-name', `invalid entry name ${JSON.stringify(raw)}`, { entry: raw });
  }
  return cleaned;
}

/** Validates a parsed header; null means "the root entry, skip it". */
export function toLayerEntry(header: ParsedHeader, limits: HeaderLimits): LayerEntry | null {
  const rawName = header.name;
  const pax = header.pax ?? {};
  checkPaxSize(pax, limits.maxPaxBytes, rawName);
  const name = cleanEntryName(rawName);
  if (name === null) return null;
  const depth = name.split('/').length;
  if (depth > limits.maxDepth) throw budgetExceeded('maxDepth', depth, rawName);
  const type = header.type ? TYPES[header.type] : undefined;
  if (type === undefined) {
    throw new ArchiveError('unsupported', `unsupported tar entry type ${JSON.stringify(header.type ?? 'unknown')} for ${JSON.stringify(rawName)}`, { entry: rawName });
  }
  return {
    rawName,
    name,
    type,
    mode: (header.mode ?? 0o644) & 0o7777,
    uid: checkedId(pax.uid ?? header.uid, 'uid', rawName),
    gid: checkedId(pax.gid ?? header.gid, 'gid', rawName),
    mtime: paxTime(pax.mtime) ?? header.mtime ?? new Date(0),
    size: type === 'file' ? checkedSize(header.size, rawName) : 0,
    linkname: header.linkname ?? '',
    devmajor: header.devmajor ?? 0,
    devminor: header.devminor ?? 0,
    xattrs: xattrsOf(pax),
  };
}

function checkPaxSize(pax: Record<string, string>, max: number, entry: string): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(pax)) bytes += Buffer.byteLength(key) + Buffer.byteLength(value) + 3;
  if (bytes > max) throw budgetExceeded('maxPaxBytes', bytes, entry);
}

function checkedId(value: string | number | undefined, what: string, entry: string): number {
  const id = typeof value === 'string' ? Number(value) : (value ?? 0);
  if (!Number.isSafeInteger(id) || id < 0 || id > MAX_ID) {
    throw new ArchiveError('invalid-header', `invalid ${what} ${String(value)} for ${JSON.stringify(entry)}`, { entry });
  }
  return id;
}

function checkedSize(size: number | undefined, entry: string): number {
  if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
    throw new ArchiveError('invalid-header', `invalid size ${String(size)} for ${JSON.stringify(entry)}`, { entry });
  }
  return size;
}

/** PAX `mtime` is decimal seconds with an optional fraction; tar-stream ignores it. */
function paxTime(value: string | undefined): Date | undefined {
  if (value === undefined || !/^-?\d+(\.\d+)?$/.test(value)) return undefined;
  return new Date(Number(value) * 1000);
}

function xattrsOf(pax: Record<string, string>): Record<string, string> {
  const xattrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(pax)) {
    if (key.startsWith(XATTR_PREFIX)) xattrs[key.slice(XATTR_PREFIX.length)] = value;
  }
  return xattrs;
}
