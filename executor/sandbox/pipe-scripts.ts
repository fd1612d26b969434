// Heredoc scripts with a shebang run from /dev/pipes/NAME, where BuildKit mounts them (so `$0` is
// the same). /dev belongs to the sandbox (a fresh tmpfs), so these are the only caller mounts let
// in there: one read-only regular file directly in /dev/pipes, whose folder the setup script
// makes inside that tmpfs. Nothing there is resolved in the rootfs or reaches a layer.
import type { UserMountRecord } from './mount-targets.js';
import type { BindMount, SandboxMount } from './types.js';

export const PIPE_SCRIPT_DIR = '/dev/pipes';

/** A plain name: no slash, not `.` or `..`, no NUL. */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\0]/.test(name);
}

export function isPipeScriptMount(mount: SandboxMount): boolean {
  if (mount.type !== 'bind' || mount.readonly !== true || typeof mount.target !== 'string') return false;
  if (!mount.target.startsWith(`${PIPE_SCRIPT_DIR}/`)) return false;
  return isPlainName(mount.target.slice(PIPE_SCRIPT_DIR.length + 1));
}

/** The setup script's record: `cd -P /<root>/dev`, `mkdir -p pipes`, create NAME, bind onto it. */
export function pipeScriptRecord(rootName: string, mount: BindMount, stagedSource: string): UserMountRecord {
  return { kind: 'bind', base: `/${rootName}/dev`, rel: 'pipes', file: mount.target.slice(PIPE_SCRIPT_DIR.length + 1), arg: stagedSource };
}
