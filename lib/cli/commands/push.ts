// `tsbuild push NAME[:TAG]`: uploads a stored image to its registry, with Docker's lines: one per
// blob (pushed, already there, mounted), then `TAG: digest: … size: …`.
import { UsageError } from '../../errors.js';
import { parseReference, withDefaultTag } from '../../image/reference.js';
import { pushImage } from '../../registry/push.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openImageStore } from './images.js';
import { registryFlags, registryOptions } from './pull.js';

const ACTION_TEXT = { exists: 'Layer already exists', mounted: 'Mounted', uploaded: 'Pushed' } as const;

export const pushCommand: Command = {
  name: 'push',
  summary: 'Upload an image to a registry',
  usage: '[OPTIONS] NAME[:TAG]',
  flags: [{ name: 'quiet', alias: 'q', type: 'boolean', description: 'Print only the digest line' }, ...registryFlags],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 1) throw new UsageError('"push" requires exactly 1 argument');
    const name = parsed.positionals[0] as string;
    const reference = withDefaultTag(parseReference(name));
    if (reference.digest !== undefined) throw new UsageError(`cannot push ${name}: name a tag, not a digest`);
    const quiet = parsed.flags.quiet === true;
    if (!quiet) io.stdout.write(`The push refers to repository [${reference.name}]\n`);
    const result = await pushImage(await openImageStore(parsed, io), name, registryOptions(parsed, io));
    if (!quiet) for (const blob of result.blobs) io.stdout.write(`${blob.digest.slice(7, 19)}: ${ACTION_TEXT[blob.action]}\n`);
    io.stdout.write(`${reference.tag}: digest: ${result.digest} size: ${result.size}\n`);
    return exitCodes.ok;
  },
};
