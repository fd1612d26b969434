// A long-lived host shell that starts the snapshot code's host tools (mount, umount, sync, cp,
// mknod) for us. Starting a process from Node forks the whole Node process, whose page tables grow
// with its heap: on a 2-core machine that cost 8 ms of CPU and about 50 ms of wall time per tool,
// several times per RUN step. Forking a small shell costs a fraction of that.
//
// Protocol: one request per line, `<id> <dir> <n> <NAME=value>… <binary> <arg>…`, every word
// POSIX single-quoted by `quoteWord` (a newline travels as the shell variable NL, so a line is
// always one request); the shell only ever expands the words inside double quotes. Each request
// runs in its own forked subshell, so a slow `sync` never holds up another stage's `mount`. Its
// stdout and stderr go to files in a private folder; the shell answers `<id> <status>`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER_SCRIPT = String.raw`
NL='
'
run() {
  id=$1; dir=$2; n=$3; shift 3
  (
    while [ "$n" -gt 0 ]; do export "$1" || exit 126; shift; n=$((n - 1)); done
    cd -- "$dir" || exit 126
    exec "$@"
  ) </dev/null >"$TSB_OUT/$id.out" 2>"$TSB_OUT/$id.err"
  printf '%s %s\n' "$id" "$?"
}
while IFS= read -r line; do
  # A request that could not even be forked is still answered (else its caller would wait forever).
  ( eval "run $line" & ) || printf '%s 125\n' "${'$'}{line%% *}"
done
`;

const FOLDER_PREFIX = 'tsbuild-cmd-';

/**
 * Folders of servers whose process died without its exit handler (SIGKILL, a crash): named with
 * their pid, removed by the next server to start.
 */
function removeDeadServersFolders(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = /^tsbuild-cmd-(\d+)-/.exec(name)?.[1];
    if (pid !== undefined && !processAlive(Number(pid))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ServedResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** POSIX single quotes; a newline becomes "$NL" so the request stays on one line. */
export function quoteWord(word: string): string {
  return `'${word.replaceAll("'", "'\\''").replaceAll('\n', `'"$NL"'`)}'`;
}

export class CommandServer {
  private readonly waiting = new Map<number, (status: number) => void>();
  private nextId = 1;
  private buffered = '';
  private failure: Error | undefined;

  private constructor(private readonly child: ChildProcess, private readonly outDir: string, private readonly env: Readonly<NodeJS.ProcessEnv>) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.receive(chunk));
    child.on('error', (error) => this.fail(error));
    child.on('exit', () => this.fail(new Error('the host command shell exited')));
    child.stdin!.on('error', (error) => this.fail(error));
    this.idle();
  }

  /** A server over /bin/sh, or undefined when it cannot be started (callers then spawn directly). */
  static start(): CommandServer | undefined {
    try {
      removeDeadServersFolders();
      const outDir = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
      const env = { ...process.env };
      const child = spawn('/bin/sh', ['-c', SERVER_SCRIPT], { env: { ...env, TSB_OUT: outDir }, stdio: ['pipe', 'pipe', 'ignore'] });
      // Each answered request's files are removed at once; this takes the folder itself.
      process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
      return new CommandServer(child, outDir, env);
    } catch {
      return undefined;
    }
  }

  /** Whether a command with this environment can run here (the shell can add variables, not remove them). */
  canRun(env: NodeJS.ProcessEnv): boolean {
    return this.failure === undefined && Object.keys(this.env).every((key) => env[key] !== undefined);
  }

  async run(binary: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ServedResult> {
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const exports = Object.entries(env).filter(([key, value]) => value !== undefined && this.env[key] !== value).map(([key, value]) => `${key}=${value}`);
    const words = [String(id), cwd, String(exports.length), ...exports, binary, ...args];
    const status = new Promise<number>((resolve) => this.waiting.set(id, resolve));
    this.busy();
    this.child.stdin!.write(`${words.map(quoteWord).join(' ')}\n`);
    const code = await status;
    if (this.failure && code < 0) throw this.failure;
    const files = [join(this.outDir, `${id}.out`), join(this.outDir, `${id}.err`)];
    const [stdout, stderr] = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
    await Promise.all(files.map((file) => rm(file, { force: true })));
    return { status: code, stdout: stdout!, stderr: stderr! };
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let end = this.buffered.indexOf('\n'); end >= 0; end = this.buffered.indexOf('\n')) {
      const [id, status] = this.buffered.slice(0, end).replaceAll("'", '').split(' ').map(Number);
      this.buffered = this.buffered.slice(end + 1);
      const resolve = this.waiting.get(id!);
      this.waiting.delete(id!);
      resolve?.(status!);
    }
    if (this.waiting.size === 0) this.idle();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const resolve of this.waiting.values()) resolve(-1);
    this.waiting.clear();
    this.idle();
  }

  /** While nothing is asked, the server must not keep Node alive; stdin closing ends the shell. */
  private idle(): void {
    this.child.unref();
    (this.child.stdout as unknown as { unref?: () => void }).unref?.();
    (this.child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.stdout as unknown as { ref?: () => void }).ref?.();
    (this.child.stdin as unknown as { ref?: () => void }).ref?.();
  }
}
