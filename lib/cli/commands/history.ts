// `tsbuild history [--no-trunc] [-q] IMAGE`: the image's history, newest first, with Docker's
// columns (IMAGE CREATED CREATED BY SIZE COMMENT). Only the top row has an ID (`<missing>` below,
// as for any image that was not built layer by layer in the local store).
import type { HistoryEntry } from '../../../executor/image-config.js';
import { UsageError } from '../../errors.js';
import { shortId, type StoredImage } from '../../store/image-store.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { humanSize } from '../units.js';
import { createdAgo, dockerTable, openImageStore } from './images.js';

const CREATED_BY_WIDTH = 45;

export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the history of an image',
  usage: '[OPTIONS] IMAGE',
  flags: [
    { name: 'no-trunc', type: 'boolean', description: "Don't truncate output" },
    { name: 'quiet', alias: 'q', type: 'boolean', description: 'Only show image IDs' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 1) throw new UsageError('"history" requires exactly 1 argument');
    const image = await (await openImageStore(parsed, io)).resolve(parsed.positionals[0]!);
    const noTrunc = parsed.flags['no-trunc'] === true;
    const rows = historyRows(image);
    const ids = rows.map((_, index) => (index > 0 ? '<missing>' : noTrunc ? image.id : shortId(image.id)));
    if (parsed.flags.quiet) {
      io.stdout.write(ids.map((id) => `${id}\n`).join(''));
      return exitCodes.ok;
    }
    const now = Date.now();
    const body = rows.map((row, index) => {
      const createdBy = row.entry.created_by.replaceAll('\t', ' ');
      return [ids[index]!, createdAgo(row.entry.created, now), noTrunc ? createdBy : ellipsis(createdBy, CREATED_BY_WIDTH), humanSize(row.size), row.entry.comment ?? ''];
    });
    io.stdout.write(dockerTable([['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], ...body]));
    return exitCodes.ok;
  },
};

/** History entries newest first, each with the size of the layer it made (0 for empty ones). */
export function historyRows(image: StoredImage): { entry: HistoryEntry; size: number }[] {
  let layer = 0;
  const rows = (image.config.history ?? []).map((entry) => ({ entry: { ...entry, created_by: entry.created_by ?? '' }, size: entry.empty_layer ? 0 : (image.layers[layer++]?.unpackedSize ?? 0) }));
  return rows.reverse();
}

/** Docker's Ellipsis: at most `width` characters, the last one `…` when cut. */
function ellipsis(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}
