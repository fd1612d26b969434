// `-p/--publish [IP:][HOST:]CTR[/PROTO]`, parsed with docker's rules and error texts, and the ways
// Docker shows published ports: the PORTS column of `ps` and inspect's `{"80/tcp": [{HostIp,
// HostPort}]}` maps. A port range (`8000-8010:80-90`) is not supported.
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

export type PortProtocol = 'tcp' | 'udp';

/** What the user asked for; hostPort 0 means "any free port", hostIp '' means every address. */
export interface PortRequest {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

/** A host address actually listening for a container port while the container runs. */
export interface PublishedPort {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

function portNumber(text: string, what: 'hostPort' | 'containerPort', allowEmpty: boolean): number {
  if (text === '' && allowEmpty) return 0;
  if (!/^\d+$/.test(text) || Number(text) > 65535 || (what === 'containerPort' && Number(text) === 0)) {
    const shown = text === '' ? 'port' : what;
    throw new UsageError(`invalid ${shown}: ${text}`);
  }
  return Number(text);
}

/** Splits `IP:HOST:CTR` where IP may be a bracketed IPv6 address. */
function splitSpec(text: string): [string, string, string] {
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (bracketed !== null) {
    const rest = bracketed[2]!.split(':');
    if (rest.length !== 2) throw new UsageError(`invalid port format for --publish: ${text}`);
    return [bracketed[1]!, rest[0]!, rest[1]!];
  }
  const parts = text.split(':');
  if (parts.length === 1) return ['', '', parts[0]!];
  if (parts.length === 2) return ['', parts[0]!, parts[1]!];
  // An unbracketed IPv6 address: everything before the last two fields.
  return [parts.slice(0, -2).join(':'), parts.at(-2)!, parts.at(-1)!];
}

export function parsePortSpec(text: string): PortRequest {
  const slash = text.lastIndexOf('/');
  const [body, protocol] = slash === -1 ? [text, 'tcp'] : [text.slice(0, slash), text.slice(slash + 1).toLowerCase()];
  if (protocol !== 'tcp' && protocol !== 'udp') throw new UsageError(`invalid proto: ${protocol}`);
  const [hostIp, hostPort, containerPort] = splitSpec(body);
  if (hostIp !== '' && isIP(hostIp) === 0) throw new UsageError(`invalid IP address: ${hostIp}`);
  if (hostPort.includes('-') || containerPort.includes('-')) throw new UsageError(`port ranges are not supported: ${text}`);
  return {
    hostIp,
    hostPort: portNumber(hostPort, 'hostPort', true),
    containerPort: portNumber(containerPort, 'containerPort', false),
    protocol,
  };
}

/** `0.0.0.0:8080->80/tcp, [::]:8080->80/tcp` as `docker ps` prints it. */
export function portsColumn(ports: readonly PublishedPort[]): string {
  return ports
    .map((port) => {
      const host = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
      return `${host}:${port.hostPort}->${port.containerPort}/${port.protocol}`;
    })
    .join(', ');
}

type PortMap = Record<string, { HostIp: string; HostPort: string }[]>;

/** HostConfig.PortBindings: what was asked for ('' for "any"). */
export function portBindingsJson(requests: readonly PortRequest[]): PortMap {
  const map: PortMap = {};
  for (const request of requests) {
    (map[`${request.containerPort}/${request.protocol}`] ??= []).push({ HostIp: request.hostIp, HostPort: request.hostPort === 0 ? '' : String(request.hostPort) });
  }
  return map;
}

/** NetworkSettings.Ports: where each port is listening now. */
export function publishedPortsJson(ports: readonly PublishedPort[]): PortMap {
  const map: PortMap = {};
  for (const port of ports) (map[`${port.containerPort}/${port.protocol}`] ??= []).push({ HostIp: port.hostIp, HostPort: String(port.hostPort) });
  return map;
}
