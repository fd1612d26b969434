// Named crash and fault points for crash tests. `TSBUILD_FAILPOINTS=content.beforeRename=kill`
// makes the engine SIGKILL itself there; `=enospc` and `=eio` throw the error the kernel would.
// The variable is parsed once; when it is unset a failpoint costs one Map lookup on an empty map.
import { TsbuildError } from '../lib/errors.js';

export type FailAction = 'kill' | 'enospc' | 'eio';

/** Every failpoint the store hits, so specs can iterate them and typos are caught. */
export const FAILPOINT_NAMES = [
  'content.afterWrite',
  'content.beforeRename',
  'content.afterRename',
  'index.beforeRename',
  'index.afterRename',
  'atomic.beforeRename',
  'atomic.afterRename',
  'gc.midSweep',
] as const;

export type FailpointName = (typeof FAILPOINT_NAMES)[number];

let active: ReadonlyMap<string, FailAction> | undefined;

/** Parses `name=action[,name=action…]`; throws E_USAGE on anything else. */
export function parseFailpoints(text: string): Map<string, FailAction> {
  const points = new Map<string, FailAction>();
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const [name, action, extra] = item.trim().split('=');
    if (extra !== undefined || name === undefined || !(FAILPOINT_NAMES as readonly string[]).includes(name)) {
      throw new TsbuildError('E_USAGE', `TSBUILD_FAILPOINTS: unknown failpoint in ${JSON.stringify(item)}`);
    }
    if (action !== 'kill' && action !== 'enospc' && action !== 'eio') {
      throw new TsbuildError('E_USAGE', `TSBUILD_FAILPOINTS: action must be kill, enospc or eio in ${JSON.stringify(item)}`);
    }
    points.set(name, action);
  }
  return points;
}

/** Re-reads `TSBUILD_FAILPOINTS` (or uses `text`); for specs that set failpoints in-process. */
export function resetFailpoints(text: string | undefined = process.env.TSBUILD_FAILPOINTS): void {
  active = parseFailpoints(text ?? '');
}

/** Acts as configured at `name`: nothing, SIGKILL of this process, or a thrown ENOSPC/EIO. */
export function failpoint(name: FailpointName): void {
  if (active === undefined) resetFailpoints();
  const action = active!.get(name);
  if (action === undefined) return;
  if (action === 'kill') {
    process.kill(process.pid, 'SIGKILL');
    // A signal a process sends itself is delivered before kill() returns; never go on anyway.
    throw new Error(`failpoint ${name}: SIGKILL was not delivered`);
  }
  throw systemError(action === 'enospc' ? 'ENOSPC' : 'EIO', name);
}

function systemError(code: 'ENOSPC' | 'EIO', name: string): NodeJS.ErrnoException {
  const text = code === 'ENOSPC' ? 'no space left on device' : 'i/o error';
  const error: NodeJS.ErrnoException = new Error(`${code}: ${text}, write (failpoint ${name})`);
  error.code = code;
  error.errno = code === 'ENOSPC' ? -28 : -5;
  error.syscall = 'write';
  return error;
}
