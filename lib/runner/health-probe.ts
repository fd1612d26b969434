// Runs a HEALTHCHECK test for a running container the way Docker does: as an exec inside the
// container (its pid, mount, network, UTS and IPC namespaces), with the container's environment,
// user and working directory.
import { Writable } from 'node:stream';
import { enterSandbox, type EnterSpec } from '../../executor/sandbox/enter-sandbox.js';
import { readlink } from 'node:fs/promises';
import { MAX_HEALTH_OUTPUT, ProbeSkipped, type Probe } from './health-monitor.js';

/** `["CMD", args...]` runs args; `["CMD-SHELL", cmd]` runs `/bin/sh -c cmd`, as Docker does on Linux. */
export function probeArgs(test: readonly string[]): string[] {
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  throw new Error(`unknown health check type ${JSON.stringify(kind)}`);
}

/** Collects up to MAX_HEALTH_OUTPUT bytes of stdout and stderr together, as Docker does. */
function outputCollector(): { sink: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (size < MAX_HEALTH_OUTPUT) chunks.push(chunk);
      size += chunk.length;
      done();
    },
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8').slice(0, MAX_HEALTH_OUTPUT) };
}

/** A zombie (exited, not yet reaped) has no root directory any more. */
function containerAlive(pid: number): Promise<boolean> {
  return readlink(`/proc/${pid}/root`).then(() => true, () => false);
}

/** `pid` is the container's first process on the host; `container` its user, env and workdir. */
export function healthProbe(pid: number, container: EnterSpec): Probe {
  return async (test, signal) => {
    const output = outputCollector();
    const result = await enterSandbox(pid, { ...container, args: probeArgs(test) }, { stdout: output.sink, stderr: output.sink }, signal).catch(async (error: unknown) => {
      if (!(await containerAlive(pid))) throw new ProbeSkipped('the container stopped');
      throw error;
    });
    // A check killed because the container ended under it says nothing about health.
    if (result.exitCode !== 0 && !(await containerAlive(pid))) throw new ProbeSkipped('the container stopped');
    return { exitCode: result.exitCode, output: output.text() };
  };
}
