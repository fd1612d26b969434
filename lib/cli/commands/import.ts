// `tsbuild import FILE|- [NAME]`: a root filesystem tar (plain or gzip) as a one-layer image, like
// `docker import`, with `-c/--change` instructions and a `-m` history message. Prints the image ID.
// The image has no creation time unless SOURCE_DATE_EPOCH sets one (reproducible by default).
import { UsageError } from '../../errors.js';
import { sourceDateEpoch } from '../../image/timestamps.js';
import { importRootfs } from '../../store/import-rootfs.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { resolve } from 'node:path';
import { openImageStore } from './images.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'Import the contents from a tarball to create a filesystem image',
  usage: '[OPTIONS] FILE|- [REPOSITORY[:TAG]]',
  flags: [
    { name: 'change', alias: 'c', type: 'strings', value: 'INSTRUCTION', description: 'Apply a Dockerfile instruction to the created image' },
    { name: 'message', alias: 'm', type: 'string', value: 'MSG', description: 'Set the history message for the imported image' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const [source, name, ...extra] = parsed.positionals;
    if (source === undefined || extra.length > 0) throw new UsageError('"import" requires 1 or 2 arguments: FILE|- [REPOSITORY[:TAG]]');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) throw new UsageError(`importing from a URL is not supported yet: ${source}`);
    const created = sourceDateEpoch(io.env);
    const store = await openImageStore(parsed, io);
    const image = await importRootfs(store, source === '-' ? io.stdin : resolve(io.cwd, source), {
      changes: parsed.flags.change as string[],
      ...(name !== undefined ? { name } : {}),
      ...(typeof parsed.flags.message === 'string' ? { message: parsed.flags.message } : {}),
      ...(created !== undefined ? { created } : {}),
    });
    io.stdout.write(`${image.id}\n`);
    return exitCodes.ok;
  },
};
