// `tsbuild rmi [-f] IMAGE...`: untag images and remove those nothing names any more. Blobs stay
// until a prune. Like Docker, each image is handled on its own: a failure is reported and the
// rest still go, and the exit status says whether all of them went.
import { TsbuildError, UsageError } from '../../errors.js';
import { familiarString, parseReference } from '../../image/reference.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openImageStore } from './images.js';

export const rmiCommand: Command = {
  name: 'rmi',
  summary: 'Remove one or more images',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  flags: [{ name: 'force', alias: 'f', type: 'boolean', description: 'Force removal of the image' }],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length === 0) throw new UsageError('"rmi" requires at least 1 argument');
    const store = await openImageStore(parsed, io);
    let status: number = exitCodes.ok;
    for (const reference of parsed.positionals) {
      try {
        const result = await store.remove(reference, { force: parsed.flags.force === true });
        for (const name of result.untagged) io.stdout.write(`Untagged: ${familiarString(parseReference(name))}\n`);
        for (const id of result.deleted) io.stdout.write(`Deleted: ${id}\n`);
      } catch (error) {
        if (!(error instanceof TsbuildError) || error instanceof UsageError) throw error;
        io.stderr.write(`Error: ${error.message}\n`);
        status = exitCodes.failure;
      }
    }
    return status;
  },
};
