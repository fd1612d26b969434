// `tsbuild du`: what uses space under the root, by kind (like `docker system df`).
import { du, type DiskUsage } from '../../../cache/gc.js';
import { UsageError } from '../../errors.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';
import { humanSize } from '../units.js';
import { dockerTable } from './images.js';

const KINDS: readonly [keyof DiskUsage, string][] = [
  ['blobs', 'Layers and blobs'],
  ['records', 'Cache records'],
  ['snapshots', 'Unpacked snapshots'],
  ['images', 'Image tags'],
  ['containers', 'Containers'],
  ['statcache', 'Context stat cache'],
  ['state', 'RUN cache mounts'],
  ['tmp', 'Temporary files'],
  ['coordination', 'Locks and leases'],
];

export const duCommand: Command = {
  name: 'du',
  summary: 'Show the disk space tsbuild uses, by kind',
  usage: '[OPTIONS]',
  flags: [{ name: 'json', type: 'boolean', description: 'Print bytes and file counts as JSON' }],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length > 0) throw new UsageError('"du" accepts no arguments');
    const layout = await openCliRoot(parsed, io);
    const usage = await du(layout);
    if (parsed.flags.json) {
      io.stdout.write(JSON.stringify({ root: layout.root, ...usage }, null, 2) + '\n');
      return exitCodes.ok;
    }
    const rows = [...KINDS, ['total', 'Total'] as const].map(([key, label]) => [label, String(usage[key].files), humanSize(usage[key].bytes)]);
    io.stdout.write(dockerTable([['KIND', 'FILES', 'SIZE'], ...rows]) + `Root: ${layout.root}\n`);
    return exitCodes.ok;
  },
};
