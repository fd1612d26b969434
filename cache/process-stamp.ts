// Who owns a temp file or a lock, in a form that outlives the owner: boot id, pid namespace, pid
// and the process start time from /proc/<pid>/stat. A pid alone is not enough because pids are
// reused; pid plus start time names one process for the life of one boot. The pid namespace is
// recorded because a pid seen from another namespace (a container sharing the root) means
// nothing here: such an owner is never declared dead, only aged out by prune/verify.
import { readFileSync, readlinkSync } from 'node:fs';

export interface ProcessStamp {
  /** First 8 hex digits of the kernel boot id; '' without /proc. */
  readonly boot: string;
  /** The pid namespace inode number; '' without /proc. */
  readonly pidns: string;
  readonly pid: number;
  /** Clock ticks after boot at which the process started; '' without /proc. */
  readonly start: string;
}

let current: ProcessStamp | undefined;

/** This process's stamp (read once). */
export function currentStamp(): ProcessStamp {
  current ??= { boot: readBootId(), pidns: readPidNamespace('self'), pid: process.pid, start: readStartTime(process.pid) ?? '' };
  return current;
}

/** `b<boot>.n<pidns>.p<pid>.s<start>`: safe in file names, parsed back by `parseStamp`. */
export function formatStamp(stamp: ProcessStamp): string {
  return `b${stamp.boot}.n${stamp.pidns}.p${stamp.pid}.s${stamp.start}`;
}

const STAMP_PATTERN = /^b([0-9a-f]{0,8})\.n([0-9]*)\.p([0-9]{1,10})\.s([0-9]*)$/;

export function parseStamp(text: string): ProcessStamp | undefined {
  const match = STAMP_PATTERN.exec(text);
  if (match === null) return undefined;
  const pid = Number(match[3]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { boot: match[1]!, pidns: match[2]!, pid, start: match[4]! };
}

/**
 * 'dead' only when this process can prove it: another boot, or the pid is gone, a zombie, or
 * a different process (another start time). 'alive' when it runs; 'unknown' when the owner is
 * in another pid namespace or this system has no /proc and the pid exists.
 */
export function ownerState(stamp: ProcessStamp): 'alive' | 'dead' | 'unknown' {
  const self = currentStamp();
  if (stamp.boot !== '' && self.boot !== '' && stamp.boot !== self.boot) return 'dead';
  if (stamp.pidns !== self.pidns) return 'unknown';
  if (self.start === '' || stamp.start === '') return signalProbe(stamp.pid);
  const stat = readProcStat(stamp.pid);
  if (stat === undefined) return 'dead';
  return stat.state === 'Z' || stat.start !== stamp.start ? 'dead' : 'alive';
}

function signalProbe(pid: number): 'alive' | 'dead' | 'unknown' {
  try {
    process.kill(pid, 0);
    return 'unknown';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'unknown';
  }
}

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/-/g, '').slice(0, 8);
  } catch {
    return '';
  }
}

function readPidNamespace(pid: string): string {
  try {
    return /^pid:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/pid`))?.[1] ?? '';
  } catch {
    return '';
  }
}

function readStartTime(pid: number): string | undefined {
  return readProcStat(pid)?.start;
}

/**
 * Fields of /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself
 * contain spaces and parentheses, so fields are counted from the last ')'.
 */
function readProcStat(pid: number): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: field 3 (state) is fields[0], field 22 (starttime) is fields[19].
  const state = fields[0];
  const start = fields[19];
  if (state === undefined || start === undefined || !/^\d+$/.test(start)) return undefined;
  return { state, start };
}
