// `tsbuild tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`: another name for an image.
import { UsageError } from '../../errors.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openImageStore } from './images.js';

export const tagCommand: Command = {
  name: 'tag',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  flags: [],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 2) throw new UsageError('"tag" requires exactly 2 arguments');
    const [source, target] = parsed.positionals as [string, string];
    await (await openImageStore(parsed, io)).tag(source, target);
    return exitCodes.ok;
  },
};
