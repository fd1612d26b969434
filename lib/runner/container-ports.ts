// A container's published ports for one run, by network mode:
//   default  shares the host network: relays on the host to 127.0.0.1:CTR where HOST differs;
//   host     Docker discards published ports (the CLI prints its warning);
//   none     relays on the host to a helper inside the container's network namespace (TCP only),
//            started once the container's process exists.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LaunchConfig } from './launch-config.js';
import { netnsRelay, type NetnsRelay } from './netns-relay.js';
import { publishPorts, type PortPublisher } from './port-forward.js';
import type { PublishedPort } from './port-spec.js';

export interface ContainerPorts {
  readonly published: readonly PublishedPort[];
  /** Called with the container's host pid once it runs. */
  attach(pid: number): Promise<void>;
  close(): Promise<void>;
}

const NO_PORTS: ContainerPorts = { published: [], attach: async () => undefined, close: async () => undefined };

export const HOST_NETWORK_PORTS_WARNING = 'WARNING: Published ports are discarded when using host network mode';

export async function openContainerPorts(config: Pick<LaunchConfig, 'ports' | 'network'>): Promise<ContainerPorts> {
  const requests = config.ports ?? [];
  if (requests.length === 0 || config.network === 'host') return NO_PORTS;
  if (config.network !== 'none') {
    const publisher = await publishPorts(requests, true, (port) => connect(port, '127.0.0.1'));
    return { published: publisher.published, attach: async () => undefined, close: () => publisher.close() };
  }
  // A unix socket path must stay under 108 bytes: a private folder in the temp dir, not the root.
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-ports-'));
  const relay: NetnsRelay = netnsRelay(join(dir, 'relay.sock'));
  let publisher: PortPublisher;
  try {
    publisher = await publishPorts(requests.filter((request) => request.protocol === 'tcp'), false, relay.dial);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    published: publisher.published,
    attach: (pid) => relay.start(pid),
    async close() {
      await publisher.close();
      await relay.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
