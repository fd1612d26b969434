// `tsbuild load [-i FILE] [-q]`: images from a tar archive (docker-archive as `docker save`
// writes it, or an OCI archive; either may be gzip-compressed, as may its layers) into the store,
// like `docker load`. Reads stdin without -i. Prints `Loaded image: NAME` per tag and
// `Loaded image ID: sha256:…` for images without one.
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { loadArchive } from '../../export/load-archive.js';
import { familiarString, parseReference } from '../../image/reference.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openImageStore } from './images.js';

export const loadCommand: Command = {
  name: 'load',
  summary: 'Load images from a tar archive or STDIN',
  usage: '[OPTIONS]',
  flags: [
    { name: 'input', alias: 'i', type: 'string', value: 'FILE', description: 'Read from a tar archive file, instead of STDIN' },
    { name: 'quiet', alias: 'q', type: 'boolean', description: 'Suppress the load output' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length > 0) throw new UsageError('"load" accepts no arguments');
    const input = parsed.flags.input as string | undefined;
    if (input === undefined && (io.stdin as { isTTY?: boolean }).isTTY) throw new UsageError('requested load from stdin, but stdin is empty');
    const store = await openImageStore(parsed, io);
    const loaded = await loadArchive(store, input === undefined ? io.stdin : createReadStream(resolve(io.cwd, input)));
    if (parsed.flags.quiet === true) return exitCodes.ok;
    for (const { image, names } of loaded) {
      if (names.length === 0) io.stdout.write(`Loaded image ID: ${image.id}\n`);
      for (const name of names) io.stdout.write(`Loaded image: ${familiarString(parseReference(name))}\n`);
    }
    return exitCodes.ok;
  },
};
