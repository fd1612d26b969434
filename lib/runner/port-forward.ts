// Publishing container ports (`-p HOST:CTR`) without a bridge. With the default network the
// container shares the host's network namespace, so a port it listens on is already a host port:
// when HOST equals CTR nothing is needed; otherwise the process running the container listens on
// HOST and relays every TCP connection (or UDP datagram) to CTR, for as long as the container
// runs. How a relay reaches the container port is the caller's `dial` (loopback on the host, or a
// helper inside the container's own network namespace with --network none).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TsbuildError } from '../errors.js';
import type { PortRequest, PublishedPort } from './port-spec.js';

/** Opens a stream to the container's TCP port. */
export type TcpDialer = (containerPort: number) => Socket;

export interface PortPublisher {
  readonly published: readonly PublishedPort[];
  close(): Promise<void>;
}

/** Each request's host addresses: '' means every address, shown by Docker as 0.0.0.0 and [::]. */
function shownAddresses(hostIp: string, dualStack: boolean): string[] {
  if (hostIp !== '') return [hostIp];
  return dualStack ? ['0.0.0.0', '::'] : ['0.0.0.0'];
}

function relayTcp(client: Socket, dial: TcpDialer, containerPort: number, open: Set<Socket>): void {
  const upstream = dial(containerPort);
  open.add(client);
  const end = (): void => {
    open.delete(client);
    client.destroy();
    upstream.destroy();
  };
  client.on('close', end);
  upstream.on('close', end);
  client.on('error', end);
  upstream.on('error', end);
  client.pipe(upstream);
  upstream.pipe(client);
}

function listen(server: Server | UdpSocket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    if ('bind' in server) server.bind({ address: host, port }, done);
    else server.listen({ host, port, ipv6Only: false }, done);
  });
}

/** Listens on '::' (both families) for an unspecified address, falling back to 0.0.0.0 without IPv6. */
async function listenEverywhere<T extends Server | UdpSocket>(make: (family: 4 | 6) => T, request: PortRequest): Promise<{ handle: T; port: number; dualStack: boolean }> {
  if (request.hostIp !== '') {
    const handle = make(request.hostIp.includes(':') ? 6 : 4);
    return { handle, port: await listen(handle, request.hostIp, request.hostPort), dualStack: false };
  }
  const handle = make(6);
  try {
    return { handle, port: await listen(handle, '::', request.hostPort), dualStack: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw error;
    const fallback = make(4);
    return { handle: fallback, port: await listen(fallback, '0.0.0.0', request.hostPort), dualStack: false };
  }
}

/** UDP: one upstream socket per client address, forgotten after a minute of silence. */
function udpRelay(family: 4 | 6, containerPort: number): UdpSocket {
  const server = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: false });
  const upstreams = new Map<string, { socket: UdpSocket; timer: NodeJS.Timeout }>();
  server.on('message', (message, client) => {
    const key = `${client.address}|${client.port}`;
    let entry = upstreams.get(key);
    if (entry === undefined) {
      const socket = createSocket('udp4');
      socket.on('message', (reply) => server.send(reply, client.port, client.address));
      socket.on('error', () => socket.close());
      entry = { socket, timer: setTimeout(() => undefined, 0) };
      upstreams.set(key, entry);
    }
    clearTimeout(entry.timer);
    const current = entry;
    current.timer = setTimeout(() => {
      upstreams.delete(key);
      current.socket.close();
    }, 60_000);
    current.timer.unref();
    current.socket.send(message, containerPort, '127.0.0.1');
  });
  server.on('close', () => {
    for (const { socket, timer } of upstreams.values()) {
      clearTimeout(timer);
      socket.close();
    }
  });
  return server;
}

/** Whether `request` needs a relay: with the host's network a same-numbered port is already published. */
export function needsRelay(request: PortRequest, sharesHostNetwork: boolean): boolean {
  return !sharesHostNetwork || request.hostPort !== request.containerPort;
}

/**
 * Starts relays for `requests`. Fails (closing what was opened) when a host port is taken, as
 * Docker refuses to start a container whose port cannot be bound.
 */
export async function publishPorts(requests: readonly PortRequest[], sharesHostNetwork: boolean, dial: TcpDialer): Promise<PortPublisher> {
  const handles: (Server | UdpSocket)[] = [];
  const published: PublishedPort[] = [];
  // Relayed connections end with the container (a server's close waits for them otherwise).
  const open = new Set<Socket>();
  const close = async (): Promise<void> => {
    for (const client of open) client.destroy();
    await Promise.all(handles.map((handle) => new Promise<void>((resolve) => ('bind' in handle ? handle.close(() => resolve()) : handle.close(() => resolve())))));
  };
  let current: PortRequest | undefined;
  try {
    for (const request of requests) {
      current = request;
      if (!needsRelay(request, sharesHostNetwork)) {
        for (const hostIp of shownAddresses(request.hostIp, true)) published.push({ ...request, hostIp });
        continue;
      }
      const make = request.protocol === 'udp'
        ? (family: 4 | 6) => udpRelay(family, request.containerPort)
        : () => createServer((client) => relayTcp(client, dial, request.containerPort, open));
      const { handle, port, dualStack } = await listenEverywhere<Server | UdpSocket>(make, request);
      handles.push(handle);
      for (const hostIp of shownAddresses(request.hostIp, dualStack)) published.push({ ...request, hostIp, hostPort: port });
    }
  } catch (error) {
    await close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && current !== undefined) throw new TsbuildError('E_STEP', `Bind for ${current.hostIp || '0.0.0.0'}:${current.hostPort} failed: port is already allocated`);
    throw error;
  }
  return { published, close };
}
