// `tsbuild port CONTAINER [PRIVATE_PORT[/PROTO]]`: where a running container's ports are published,
// as docker port prints it (`80/tcp -> 0.0.0.0:8080`, or only the addresses for one port).
import { UsageError } from '../../errors.js';
import { isRunning } from '../../runner/container-admin.js';
import { ContainerStore } from '../../runner/container-store.js';
import type { PublishedPort } from '../../runner/port-spec.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

function address(port: PublishedPort): string {
  return `${port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp}:${port.hostPort}`;
}

export const portCommand: Command = {
  name: 'port',
  summary: 'List port mappings or a specific mapping for the container',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  flags: [],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const [reference, wanted] = parsed.positionals;
    if (reference === undefined || parsed.positionals.length > 2) throw new UsageError('"port" requires at least 1 and at most 2 arguments');
    const record = await new ContainerStore(await openCliRoot(parsed, io)).find(reference);
    const published = isRunning(record) ? record.State.Ports ?? [] : [];
    if (wanted === undefined) {
      io.stdout.write(published.map((port) => `${port.containerPort}/${port.protocol} -> ${address(port)}\n`).join(''));
      return exitCodes.ok;
    }
    const [number, protocol = 'tcp'] = wanted.split('/');
    const matching = published.filter((port) => String(port.containerPort) === number && port.protocol === protocol);
    if (matching.length === 0) {
      io.stderr.write(`Error: No public port '${number}/${protocol}' published for ${reference}\n`);
      return exitCodes.failure;
    }
    io.stdout.write(matching.map((port) => `${address(port)}\n`).join(''));
    return exitCodes.ok;
  },
};
