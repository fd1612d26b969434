// The generated /etc/hosts, /etc/resolv.conf and /etc/hostname. They are written to the run's
// temporary folder and bind-mounted read-only (as BuildKit does for hosts and resolv.conf), never
// written into the rootfs, so they can never end up in a layer.
import { isIP } from 'node:net';
import type { ExtraHost, NetworkMode } from './types.js';

/** BuildKit's initHostsFile, plus `--add-host` entries as `ip<TAB>name`. */
export function hostsFile(hostname: string, extraHosts: readonly ExtraHost[] = []): string {
  const lines = [`127.0.0.1\tlocalhost ${hostname}`, '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const host of extraHosts) lines.push(`${host.ip}\t${host.name}`);
  return `${lines.join('\n')}\n`;
}

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}

/** Docker's fallback resolvers when nothing usable is left (libnetwork's TransformForLegacyNw). */
const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844'];

function isLoopback(address: string): boolean {
  const ip = address.split('%')[0]!;
  if (isIP(ip) === 4) return ip.startsWith('127.');
  return isIP(ip) === 6 && (ip === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(ip));
}

/**
 * The host's resolv.conf, as the process should see it. `default` and `host` both run in the host's
 * network namespace here (there is no bridge), so a loopback resolver such as systemd-resolved's
 * 127.0.0.53 is reachable and is kept, as BuildKit keeps it for host networking. With `none` there
 * is no route anywhere; loopback resolvers are dropped as for BuildKit's isolated networks, so the
 * file names no host-local service.
 */
export function resolvConf(hostText: string, network: NetworkMode): string {
  const lines = hostText.split('\n').map((line) => line.trimEnd());
  const keep = lines.filter((line) => {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    return !match || network !== 'none' || !isLoopback(match[1]!);
  });
  const hasNameserver = keep.some((line) => /^\s*nameserver\s+\S+/.test(line));
  if (!hasNameserver) keep.push(...DEFAULT_NAMESERVERS.map((ip) => `nameserver ${ip}`));
  return `${keep.join('\n').replace(/\n+$/, '')}\n`;
}
