// Reaching the TCP ports of a container with `--network none`: its loopback lives in its own network
// namespace, so a small helper (this module run as a script) is started inside that namespace only
// (nsenter --net; files and everything else stay the host's). It listens on a unix socket in the
// container's folder (a path on the filesystem works across network namespaces) and, for each
// connection, reads one line naming the port and joins the stream to 127.0.0.1:PORT there.
// The helper dies with the process that started it (parent-death signal).
import { spawn, type ChildProcess } from 'node:child_process';
import { access, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { findHostTool } from '../../executor/sandbox/host-tools.js';
import type { TcpDialer } from './port-forward.js';

async function hostTool(name: string): Promise<string> {
  const path = await findHostTool(name);
  if (path === undefined) throw new Error(`publishing ports with --network none needs the host tool ${name} (Debian package util-linux)`);
  return path;
}

export interface NetnsRelay {
  readonly dial: TcpDialer;
  /** Starts the helper in the network namespace of host pid `pid`; resolves once it listens. */
  start(pid: number): Promise<void>;
  stop(): Promise<void>;
}

export function netnsRelay(socketPath: string): NetnsRelay {
  let child: ChildProcess | undefined;
  return {
    dial(containerPort: number): Socket {
      const socket = connect(socketPath);
      socket.write(`${containerPort}\n`);
      return socket;
    },
    async start(pid: number): Promise<void> {
      await rm(socketPath, { force: true });
      const [setpriv, nsenter] = [await hostTool('setpriv'), await hostTool('nsenter')];
      child = spawn(setpriv, ['--pdeathsig=KILL', '--', nsenter, `--net=/proc/${pid}/ns/net`, '--', process.execPath, fileURLToPath(import.meta.url), socketPath], { stdio: 'ignore' });
      child.on('error', () => undefined);
      for (let waited = 0; waited < 5000 && child.exitCode === null; waited += 20) {
        if (await access(socketPath).then(() => true, () => false)) return;
        await sleep(20);
      }
      throw new Error('the port relay inside the container network did not start');
    },
    async stop(): Promise<void> {
      if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
      await rm(socketPath, { force: true });
    },
  };
}

/** The helper: one header line with the port, then a plain byte relay. */
function relayMain(socketPath: string): void {
  const server = createServer((client) => {
    let header = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      header = Buffer.concat([header, chunk]);
      const newline = header.indexOf(10);
      if (newline === -1) {
        if (header.length > 16) client.destroy();
        return;
      }
      client.pause();
      client.off('data', onData);
      const upstream = connect(Number(header.subarray(0, newline).toString('latin1')), '127.0.0.1');
      const end = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      const rest = header.subarray(newline + 1);
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  server.listen(socketPath);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) relayMain(process.argv[2]!);
