// Runs a HEALTHCHECK test for a running container. The sandbox cannot yet start a second process
// inside an existing container's namespaces, so the check runs in a sibling sandbox over the
// container's own mounted filesystem, with its env, user, working directory, hostname, volumes and
// network mode: it sees the container's files as they are now, and with the host network the same
// ports. Differences from Docker: it has its own pid namespace (it cannot see the container's
// processes) and, with --network none, its own loopback.
import { Writable } from 'node:stream';
import type { RunSpec, Sandbox } from '../../executor/sandbox/types.js';
import { MAX_HEALTH_OUTPUT, type Probe } from './health-monitor.js';

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

export function healthProbe(sandbox: Sandbox, container: RunSpec): Probe {
  return async (test, signal) => {
    const output = outputCollector();
    const result = await sandbox.run({ ...container, args: probeArgs(test) }, { stdout: output.sink, stderr: output.sink }, signal);
    return { exitCode: result.exitCode, output: output.text() };
  };
}
