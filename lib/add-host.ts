// `--add-host NAME:IP` entries for the generated /etc/hosts of RUN steps, read as docker build reads
// them: `NAME:IP` or `NAME=IP`, IPv6 bare or in brackets, and `host-gateway` for the host's address.
// Like BuildKit, they only change what a step sees, never its cache key, and never enter a layer.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { TsbuildError, UsageError } from './errors.js';

/** One extra /etc/hosts line; `ip` may be the word `host-gateway` until resolved. */
export interface AddHost {
  readonly name: string;
  readonly ip: string;
}

export const HOST_GATEWAY = 'host-gateway';

/** `--add-host` values (each may hold several, comma-separated, as docker's list flag does). */
export function addHostsFrom(values: readonly string[]): AddHost[] {
  return values.flatMap((value) => value.split(',')).map(parseAddHost);
}

function parseAddHost(value: string): AddHost {
  // `=` first: an IPv6 address has colons, so `NAME=IP` is the unambiguous form.
  let separator = value.indexOf('=');
  if (separator < 0) separator = value.indexOf(':');
  const name = separator < 0 ? '' : value.slice(0, separator);
  let ip = separator < 0 ? '' : value.slice(separator + 1);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (name === '' || /[\s#\0]/.test(name) || (ip !== HOST_GATEWAY && isIP(ip) === 0)) {
    throw new UsageError(`invalid host ${value}: expected NAME:IP (an IPv4 or IPv6 address, or ${HOST_GATEWAY})`);
  }
  return { name, ip };
}

type Interfaces = ReturnType<typeof networkInterfaces>;

/**
 * The host's address for `host-gateway`. Docker uses its default bridge's gateway (docker0); RUN
 * steps here share the host's network, so when there is no docker0 any non-loopback IPv4 address
 * of the host reaches it just as well.
 */
export function hostGatewayAddress(interfaces: Interfaces = networkInterfaces()): string {
  const ipv4 = (name: string) => (interfaces[name] ?? []).find((address) => address.family === 'IPv4' && !address.internal)?.address;
  const found = ipv4('docker0') ?? Object.keys(interfaces).sort().map(ipv4).find((address) => address !== undefined);
  if (found === undefined) throw new TsbuildError('E_USAGE', `unable to derive the IP value for ${HOST_GATEWAY}: the host has no non-loopback IPv4 address`);
  return found;
}

/** The entries with `host-gateway` replaced by the host's address (looked up once, only if used). */
export function resolveAddHosts(hosts: readonly AddHost[], gateway: () => string = hostGatewayAddress): AddHost[] {
  let address: string | undefined;
  return hosts.map((host) => (host.ip === HOST_GATEWAY ? { name: host.name, ip: (address ??= gateway()) } : host));
}
