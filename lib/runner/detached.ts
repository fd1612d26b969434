// `run -d`: the container runs under a monitor process that outlives the CLI. The monitor is this
// module run as a script (`node detached.js ROOT ID`), in its own session, writing the container's
// output to its log only; later commands find the container through its state.
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { rootLayout } from '../../cache/root.js';
import type { ContainerStore } from './container-store.js';
import { startContainer } from './run-container.js';
import { openRuntime } from './runtime.js';

/**
 * Starts the monitor for container `id` and waits until the monitor reports the container running
 * (its pid in MonitorPid), or the container is gone, or the monitor ended (a failed start).
 */
export async function startDetached(root: string, containers: ContainerStore, id: string): Promise<void> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), root, id], { detached: true, stdio: 'ignore' });
  child.unref();
  let ended = false;
  child.once('exit', () => (ended = true));
  for (let waited = 0; waited < 30_000 && !ended; waited += 50) {
    const record = await containers.read(id);
    if (record === undefined || record.State.MonitorPid === child.pid) return;
    await sleep(50);
  }
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

async function monitorMain(root: string, id: string): Promise<void> {
  const runtime = await openRuntime(rootLayout(root));
  const running = await startContainer(runtime, id, { stdout: discard(), stderr: discard() });
  const stop = (): void => void running.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.exitCode = await running.exited;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [root, id] = process.argv.slice(2);
  monitorMain(root!, id!).catch((error: unknown) => {
    process.stderr.write(`tsbuild container monitor: ${(error as Error).message}\n`);
    process.exitCode = 125;
  });
}
