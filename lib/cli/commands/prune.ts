// `tsbuild prune`: remove build cache, as `docker builder prune` does. Blobs an image in the store
// or a running build needs are never removed, whatever the flags say.
import { prune } from '../../../cache/gc.js';
import { UsageError } from '../../errors.js';
import { ImageStore } from '../../store/image-store.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';
import { humanSize, parseAgeFlag, parseSizeFlag } from '../units.js';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'Remove build cache that no image needs (least recently used first)',
  usage: '[OPTIONS]',
  flags: [
    { name: 'all', alias: 'a', type: 'boolean', description: 'Remove all build cache, not only unreferenced blobs, and RUN cache mounts' },
    { name: 'filter', type: 'strings', value: 'until=DURATION', description: 'Only remove cache not used for DURATION (e.g. until=24h)' },
    { name: 'keep-storage', type: 'string', value: 'SIZE', description: 'Remove least recently used cache until it takes at most SIZE (e.g. 10GB)' },
    { name: 'force', alias: 'f', type: 'boolean', description: 'Accepted for docker compatibility; tsbuild never prompts' },
    { name: 'json', type: 'boolean', description: 'Print the report as JSON' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length > 0) throw new UsageError('"prune" accepts no arguments');
    const until = untilFilter(parsed.flags.filter as string[]);
    const keepStorage = parsed.flags['keep-storage'] as string | undefined;
    const layout = await openCliRoot(parsed, io);
    const store = await ImageStore.open(layout);
    const report = await prune(layout, {
      ...store.keepOptions(),
      all: parsed.flags.all === true,
      ...(until !== undefined ? { until } : {}),
      ...(keepStorage !== undefined ? { keepStorage: parseSizeFlag(keepStorage, 'keep-storage') } : {}),
    });
    if (parsed.flags.json) {
      io.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      io.stdout.write(`Removed ${report.removedBlobs.length} blobs, ${report.removedRecords.length} cache records and ${report.removedTempFiles} temp files\n`);
      if (report.removedStateBytes > 0) io.stdout.write(`Removed RUN cache mounts (${humanSize(report.removedStateBytes)})\n`);
      if (report.stateInUse) io.stdout.write('Kept RUN cache mounts: a build is running on this root\n');
      io.stdout.write(`Total reclaimed space: ${humanSize(report.reclaimedBytes)}\n`);
    }
    return exitCodes.ok;
  },
};

/** `--filter until=24h` (the only filter): milliseconds, or undefined when none was given. */
function untilFilter(filters: readonly string[]): number | undefined {
  let until: number | undefined;
  for (const filter of filters) {
    const [key, value] = [filter.slice(0, filter.indexOf('=')), filter.slice(filter.indexOf('=') + 1)];
    if (key !== 'until' || filter.indexOf('=') < 0) throw new UsageError(`invalid --filter "${filter}": the supported filter is until=DURATION`);
    until = parseAgeFlag(value, 'filter until');
  }
  return until;
}
