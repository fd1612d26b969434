// USER and COPY --chown resolution against a rootfs's /etc/passwd and /etc/group, with BuildKit's
// rules, read safely: the path is resolved inside the root (a symlinked /etc/passwd is re-rooted,
// SECURITY D5), only a regular file is read (a FIFO or a device is treated as absent, so nothing
// hangs or talks to a device), and a file above 10 MiB is an error, not a memory bomb (CVE-2026-47262).
import * as fs from 'node:fs';
import { constants } from 'node:fs';
import { TsbuildError } from '../lib/errors.js';
import { InRoot } from './snapshot/in-root.js';

/** BuildKit's cap on /etc/passwd and /etc/group. */
export const MAX_USER_FILE_BYTES = 10 * 1024 * 1024;
/** The largest id runc accepts (ids are signed 32-bit in its checks; larger never wrap to 0). */
export const MAX_ID = 2 ** 31 - 1;

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/**
 * Parses an id the way Go's strconv.Atoi does (an optional sign, then decimal digits), so `00`
 * and `+5` are ids and `1e3` is a name. Returns undefined for anything that is not a number.
 */
export function parseNumericId(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  return Number(text);
}

/** An id field of a passwd/group line; undefined (the line is skipped) unless it is a valid id. */
function idField(text: string | undefined): number | undefined {
  const id = text === undefined ? undefined : parseNumericId(text.trim());
  return id !== undefined && id >= 0 && id <= MAX_ID ? id : undefined;
}

/** Data lines of a colon file: blank lines and comments are skipped, surrounding space trimmed. */
function dataLines(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

/**
 * Malformed lines (a missing or non-numeric uid or gid) are skipped. Go's parser would read them as
 * uid 0; skipping means a broken line can never make a name resolve to root.
 */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const fields of dataLines(text)) {
    const uid = idField(fields[2]);
    const gid = idField(fields[3]);
    if (uid === undefined || gid === undefined) continue;
    entries.push({ name: fields[0]!, uid, gid, home: fields[5] ?? '' });
  }
  return entries;
}

export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const fields of dataLines(text)) {
    const gid = idField(fields[2]);
    if (gid === undefined) continue;
    const members = (fields[3] ?? '').split(',').map((member) => member.trim()).filter((member) => member !== '');
    entries.push({ name: fields[0]!, gid, members });
  }
  return entries;
}

/**
 * The text of `path` (absolute, inside `rootfs`), or undefined when it is missing or not a regular
 * file (BuildKit then resolves numeric ids only). Throws E_STEP when it exceeds the cap.
 */
export async function readRootFile(rootfs: string, path: string, maxBytes = MAX_USER_FILE_BYTES): Promise<string | undefined> {
  const root = await InRoot.open(rootfs);
  const { existing, missing } = await root.resolve(path, true);
  if (missing.length > 0 || existing.length === 0) return undefined;
  const host = root.hostPath(existing);
  const before = fs.lstatSync(host);
  if (!before.isFile()) return undefined;
  const fd = fs.openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = fs.fstatSync(fd);
    // Swapped between lstat and open: treat like absent rather than read something else.
    if (!info.isFile() || info.ino !== before.ino || info.dev !== before.dev) return undefined;
    if (info.size > maxBytes) throw new TsbuildError('E_STEP', `${path} exceeds ${maxBytes} bytes`);
    return readCapped(fd, path, maxBytes);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads at most `maxBytes` (the file may grow after fstat). */
function readCapped(fd: number, path: string, maxBytes: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    const read = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    total += read;
    if (total > maxBytes) throw new TsbuildError('E_STEP', `${path} exceeds ${maxBytes} bytes`);
    chunks.push(chunk.subarray(0, read));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The rootfs's user database; a missing file is undefined (not an empty list: that matters for errors). */
export interface UserDb {
  readonly passwd?: readonly PasswdEntry[];
  readonly group?: readonly GroupEntry[];
}

export async function readUserDb(rootfs: string): Promise<UserDb> {
  const passwd = await readRootFile(rootfs, '/etc/passwd');
  const group = await readRootFile(rootfs, '/etc/group');
  return {
    ...(passwd === undefined ? {} : { passwd: parsePasswd(passwd) }),
    ...(group === undefined ? {} : { group: parseGroup(group) }),
  };
}

// ---- USER and --chown resolution ----

/** What a process runs as. `additionalGids` is what getgroups() shows: the primary gid first. */
export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
}

/** The owner COPY/ADD --chown gives files. */
export interface ResolvedOwner {
  readonly uid: number;
  readonly gid: number;
}

const NO_PASSWD_ENTRY = 'no matching entries in passwd file';
const NO_GROUP_ENTRY = 'no matching entries in group file';

function rangeError(): TsbuildError {
  return new TsbuildError('E_STEP', `uids and gids must be in range 0-${MAX_ID}`);
}

function checkedId(id: number): number {
  if (id < 0 || id > MAX_ID) throw rangeError();
  return id;
}

/** Splits `user[:group]` at the first colon, like runc. */
function splitSpec(spec: string): { userPart: string; groupPart: string } {
  const colon = spec.indexOf(':');
  return colon < 0 ? { userPart: spec, groupPart: '' } : { userPart: spec.slice(0, colon), groupPart: spec.slice(colon + 1) };
}

function unique(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}

/**
 * BuildKit's USER semantics (runc's GetExecUser): a numeric user matches passwd by uid only (a user
 * *named* `1000` is never taken for uid 1000, CVE-2016-3697) and is fine without an entry (gid 0);
 * a name must exist. Without an explicit group, a passwd match brings its primary gid and every
 * group listing the name as a member; with one, the group is looked up (a number needs no entry)
 * and there are no supplementary groups. An empty spec is root.
 */
export async function resolveUserSpec(rootfs: string, spec: string): Promise<ResolvedUser> {
  const { userPart, groupPart } = splitSpec(spec === '' ? '0' : spec);
  const db = await readUserDb(rootfs);
  const numericUid = parseNumericId(userPart);
  const match = db.passwd?.find((entry) => (numericUid === undefined ? entry.name === userPart : entry.uid === numericUid));
  if (match === undefined && numericUid === undefined) {
    throw new TsbuildError('E_STEP', `unable to find user ${userPart}: ${NO_PASSWD_ENTRY}`);
  }
  const uid = match?.uid ?? checkedId(numericUid!);
  if (groupPart !== '') {
    const gid = resolveGroup(db, groupPart);
    return { uid, gid, additionalGids: [gid] };
  }
  const gid = match?.gid ?? 0;
  const memberOf = match === undefined ? [] : (db.group ?? []).filter((group) => group.members.includes(match.name)).map((group) => group.gid);
  return { uid, gid, additionalGids: unique([gid, ...memberOf]) };
}

/** An explicit group: by name, or by number (matching an entry or not). */
function resolveGroup(db: UserDb, groupPart: string): number {
  const numericGid = parseNumericId(groupPart);
  const match = db.group?.find((entry) => (numericGid === undefined ? entry.name === groupPart : entry.gid === numericGid));
  if (match !== undefined) return match.gid;
  if (numericGid === undefined) throw new TsbuildError('E_STEP', `unable to find group ${groupPart}: ${NO_GROUP_ENTRY}`);
  return checkedId(numericGid);
}

/**
 * BuildKit's COPY/ADD --chown rules, which differ from USER's: names are looked up in the
 * destination rootfs, but a bare number is taken as both uid and gid without reading passwd
 * (`--chown=1001` gives 1001:1001 even when passwd says gid 50), a bare name gets its passwd gid,
 * and an empty user part (`:group`) is root.
 */
export async function resolveChown(rootfs: string, spec: string): Promise<ResolvedOwner> {
  const { userPart, groupPart } = splitSpec(spec);
  const numericUid = parseNumericId(userPart);
  const numericGid = parseNumericId(groupPart);
  const needsDb = (userPart !== '' && numericUid === undefined) || (groupPart !== '' && numericGid === undefined);
  const db: UserDb = needsDb ? await readUserDb(rootfs) : {};
  let uid = 0;
  let gid = 0;
  if (numericUid !== undefined) {
    uid = gid = checkedId(numericUid);
  } else if (userPart !== '') {
    const match = db.passwd?.find((entry) => entry.name === userPart);
    if (match === undefined) throw new TsbuildError('E_STEP', `unable to find user ${userPart}: ${NO_PASSWD_ENTRY}`);
    ({ uid, gid } = match);
  }
  if (numericGid !== undefined) gid = checkedId(numericGid);
  else if (groupPart !== '') {
    const match = db.group?.find((entry) => entry.name === groupPart);
    if (match === undefined) throw new TsbuildError('E_STEP', `unable to find group ${groupPart}: ${NO_GROUP_ENTRY}`);
    gid = match.gid;
  }
  return { uid, gid };
}

/**
 * HOME for a process that has none in its env: what runc sets, the home of the first passwd entry
 * with that uid, else `/`.
 */
export async function homeDirectory(rootfs: string, uid: number): Promise<string> {
  const passwd = await readRootFile(rootfs, '/etc/passwd');
  const home = passwd === undefined ? undefined : parsePasswd(passwd).find((entry) => entry.uid === uid)?.home;
  return home === undefined || home === '' ? '/' : home;
}
