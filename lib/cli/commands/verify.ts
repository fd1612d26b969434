// `tsbuild verify`: re-hash every blob and check every cache record; what is bad is reported and
// dropped, so the next build rebuilds it instead of trusting it.
import { verify } from '../../../cache/gc.js';
import { UsageError } from '../../errors.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Re-hash all stored blobs and cache records; drop what is damaged',
  usage: '[OPTIONS]',
  flags: [{ name: 'json', type: 'boolean', description: 'Print the report as JSON' }],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length > 0) throw new UsageError('"verify" accepts no arguments');
    const report = await verify(await openCliRoot(parsed, io));
    if (parsed.flags.json) {
      io.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      for (const digest of report.badBlobs) io.stdout.write(`removed damaged blob ${digest}\n`);
      for (const { key, reason } of report.droppedRecords) io.stdout.write(`dropped cache record ${key}: ${reason}\n`);
      io.stdout.write(`checked ${report.blobsChecked} blobs and ${report.recordsChecked} records: ` +
        `${report.badBlobs.length} damaged blobs, ${report.droppedRecords.length} dropped records, ${report.removedTempFiles} temp files removed\n`);
    }
    // Finding damage is worth a non-zero status in CI, even though it has been repaired.
    return report.badBlobs.length + report.droppedRecords.length > 0 ? exitCodes.failure : exitCodes.ok;
  },
};
