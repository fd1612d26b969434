// EXPOSE port specs as BuildKit reads them: `80`, `80/udp`, `8000-8010/tcp`, and (tolerated, with
// a warning) `[ip:]hostPort:containerPort`. Only the container side is kept, one `port/proto` per
// port of a range, protocol lower-cased.
import { goQuote } from './syntax-dump.js';

/** The exposed ports of one spec, and what BuildKit's lint rules would say about how it was written. */
export interface PortSpec {
  readonly ports: readonly string[];
  /** The protocol was not written in lower case (ExposeProtoCasing). */
  readonly protocolNotLowerCase: boolean;
  /** An IP address or host port was given (ExposeInvalidFormat). */
  readonly hasHostPart: boolean;
}

/** The parts of `[ip:]host:container`; for more than three parts the leading ones form the IP. */
function splitParts(spec: string): { ip: string; hostPort: string; containerPort: string } {
  const parts = spec.split(':');
  if (parts.length === 1) return { ip: '', hostPort: '', containerPort: parts[0]! };
  if (parts.length === 2) return { ip: '', hostPort: parts[0]!, containerPort: parts[1]! };
  const count = parts.length;
  return { ip: parts.slice(0, count - 2).join(':'), hostPort: parts[count - 2]!, containerPort: parts[count - 1]! };
}

function splitProtocol(containerPart: string): { port: string; protocol: string } {
  const slash = containerPart.indexOf('/');
  const port = slash < 0 ? containerPart : containerPart.slice(0, slash);
  const protocol = slash < 0 ? '' : containerPart.slice(slash + 1);
  if (port === '') throw new Error('no port specified');
  const lowered = protocol.toLowerCase();
  if (lowered === '') return { port, protocol: 'tcp' };
  if (lowered === 'tcp' || lowered === 'udp' || lowered === 'sctp') return { port, protocol };
  throw new Error(`invalid proto: ${protocol}`);
}

/** A decimal port (Go's ParseInt: an optional sign, digits) within 0-65535. */
function parsePortNumber(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new Error(`invalid port number ${text}`);
  const value = Number(text);
  if (value < 0 || value > 65535) throw new Error('value out of range (0–65535)');
  return value;
}

/** `start[-end]`; an end below the start is an error. */
function parsePortRange(text: string): { start: number; end: number } {
  if (text === '') throw new Error('empty string specified for ports');
  const dash = text.indexOf('-');
  const startText = dash < 0 ? text : text.slice(0, dash);
  const endText = dash < 0 ? startText : text.slice(dash + 1);
  const start = parsePortNumber(startText);
  if (dash < 0 || startText === endText) return { start, end: start };
  const end = parsePortNumber(endText);
  if (end < start) throw new Error(`invalid port range: ${text}`);
  return { start, end };
}

/** An IPv4 or IPv6 address as Go's net.ParseIP accepts it (no zones, no host names). */
export function isIpAddress(text: string): boolean {
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
  const v4 = ipv4.exec(text);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255 && (part.length === 1 || !part.startsWith('0')));
  if (!text.includes(':') || text.includes('%')) return false;
  return isIpv6(text);
}

function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const groups = halves.flatMap(groupsOf);
  const last = groups[groups.length - 1];
  const embedsIpv4 = last !== undefined && last.includes('.');
  if (embedsIpv4 && !isIpAddress(last)) return false;
  const hexGroups = embedsIpv4 ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  const width = hexGroups.length + (embedsIpv4 ? 2 : 0);
  return halves.length === 2 ? width < 8 : width === 8;
}

/** Strips the brackets of `[v6addr]`, as Go's net.SplitHostPort(ip + ":") does. */
function unbracket(ip: string): string {
  const close = ip.indexOf(']');
  if (close < 0 || close !== ip.length - 1 || ip.indexOf('[', 1) >= 0) throw new Error(`invalid IP address ${ip}`);
  return ip.slice(1, -1);
}

function portsOf(start: number, end: number, protocol: string): string[] {
  const ports: string[] = [];
  for (let port = start; port <= end; port++) ports.push(`${port}/${protocol.toLowerCase()}`);
  return ports;
}

/**
 * One EXPOSE word (already expanded). Throws an Error with BuildKit's message for a bad spec; the
 * caller locates it.
 */
export function parsePortSpec(spec: string): PortSpec {
  const { ip: rawIp, hostPort, containerPort: containerPart } = splitParts(spec);
  let split;
  try {
    split = splitProtocol(containerPart);
  } catch (error) {
    throw new Error(`invalid port: ${goQuote(spec)}: ${(error as Error).message}`);
  }
  const ip = rawIp.startsWith('[') ? unbracket(rawIp) : rawIp;
  if (ip !== '' && !isIpAddress(ip)) throw new Error(`invalid IP address: ${ip}`);
  const container = tryRange(split.port, `invalid containerPort: ${split.port}`);
  if (hostPort !== '') {
    const host = tryRange(hostPort, `invalid hostPort: ${hostPort}`);
    const sameWidth = container.end - container.start === host.end - host.start;
    if (!sameWidth && container.end !== container.start) {
      throw new Error(`invalid ranges specified for container and host Ports: ${split.port} and ${hostPort}`);
    }
  }
  return {
    ports: portsOf(container.start, container.end, split.protocol),
    protocolNotLowerCase: split.protocol !== split.protocol.toLowerCase(),
    hasHostPart: rawIp !== '' || hostPort !== '',
  };
}

function tryRange(text: string, message: string): { start: number; end: number } {
  try {
    return parsePortRange(text);
  } catch {
    throw new Error(message);
  }
}

/** The `port/proto` keys of several specs, in order (duplicates kept; the image config is a set). */
export function exposedPorts(specs: readonly string[]): string[] {
  return specs.flatMap((spec) => parsePortSpec(spec).ports);
}
