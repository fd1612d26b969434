// What other processes do to containers: find out whether a recorded container still runs, remove
// one (killing it first with -f), and write its filesystem as a tar (`export`).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempFileName } from '../../cache/atomic-file.js';
import { diffTrees, layerTarStream } from '../../executor/snapshot/index.js';
import { TsbuildError } from '../errors.js';
import { mountContainer } from './container-rootfs.js';
import { processAlive, signalProcess } from './container-process.js';
import type { ContainerRecord } from './container-store.js';
import type { Runtime } from './run-container.js';
import { runHostCommand } from '../../executor/snapshot/host-command.js';

/** Running per the state and its runner process is alive (a runner killed with -9 leaves `running`). */
export function isRunning(record: ContainerRecord): boolean {
  return record.State.Running && processAlive(record.State.MonitorPid);
}

/** `rm [-f]`: a running container needs force; it is killed and its runner cleans up first. */
export async function removeContainer(runtime: Runtime, record: ContainerRecord, force: boolean): Promise<void> {
  if (isRunning(record)) {
    if (!force) {
      throw new TsbuildError('E_USAGE', `cannot remove container ${record.Id.slice(0, 12)}: container is running: stop the container before removing or force remove`);
    }
    // Without a known container pid, killing the runner takes the sandbox down (parent-death signal).
    signalProcess(record.State.Pid > 0 ? record.State.Pid : record.State.MonitorPid, 'SIGKILL');
    for (let waited = 0; waited < 10_000; waited += 50) {
      const now = await runtime.containers.read(record.Id);
      if (now === undefined || !isRunning(now)) break;
      await sleep(50);
    }
  }
  // A runner that died without unmounting leaves the overlay mounted: mountContainer's release
  // unmounts it; then the folder can go.
  await unmountLeftover(runtime, record);
  await runtime.containers.remove(record.Id);
}

/** Unmounts the filesystem a runner that died (kill -9) left mounted; nothing when nothing is mounted. */
export async function unmountLeftover(runtime: Runtime, record: ContainerRecord): Promise<void> {
  const merged = join(runtime.containers.paths(record.Id).mnt, 'merged');
  // Host tools by absolute path only (SECURITY lesson 4); `mountpoint -q` fails when nothing is mounted.
  await runHostCommand('mountpoint', ['-q', merged]).then(() => runHostCommand('umount', [merged]), () => undefined).catch(() => undefined);
}

/** `export`: the container's merged filesystem as one tar (sorted, like an image layer). */
export async function exportContainer(runtime: Runtime, record: ContainerRecord, sink: Writable): Promise<void> {
  const image = await runtime.images.resolve(record.Image);
  // A running container's filesystem is already mounted (a second overlay on one upper is not allowed).
  const mounted = isRunning(record)
    ? { rootfs: join(runtime.containers.paths(record.Id).mnt, 'merged'), release: async () => undefined }
    : await mountContainer(runtime.layout, runtime.images.content, runtime.containers, record.Id, image.layers);
  const work = await mkdtemp(join(runtime.layout.tmp, `${tempFileName()}-export-`));
  try {
    const empty = join(work, 'empty');
    await mkdir(empty);
    await pipeline(layerTarStream(await diffTrees(empty, mounted.rootfs)), sink, { end: false });
  } finally {
    await mounted.release();
    await rm(work, { recursive: true, force: true });
  }
}
