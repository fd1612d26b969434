// `tsbuild import FILE|URL|- [NAME]`: a root filesystem tar (plain or gzip) as a one-layer image,
// like `docker import`, with `-c/--change` instructions and a `-m` history message. Prints the
// image ID. An http(s) URL is streamed (never spooled whole); its image's comment is
// `Imported from URL` unless -m gives one, as dockerd writes it.
// The image has no creation time unless SOURCE_DATE_EPOCH sets one (reproducible by default).
import { UsageError } from '../../errors.js';
import { sourceDateEpoch } from '../../image/timestamps.js';
import { importRootfs } from '../../store/import-rootfs.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TsbuildError } from '../../errors.js';
import { openImageStore } from './images.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'Import the contents from a tarball to create a filesystem image',
  usage: '[OPTIONS] FILE|URL|- [REPOSITORY[:TAG]]',
  flags: [
    { name: 'change', alias: 'c', type: 'strings', value: 'INSTRUCTION', description: 'Apply a Dockerfile instruction to the created image' },
    { name: 'message', alias: 'm', type: 'string', value: 'MSG', description: 'Set the history message for the imported image' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    const [source, name, ...extra] = parsed.positionals;
    if (source === undefined || extra.length > 0) throw new UsageError('"import" requires 1 or 2 arguments: FILE|URL|- [REPOSITORY[:TAG]]');
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : undefined;
    if (url !== undefined && !/^https?:\/\//i.test(url)) throw new UsageError(`cannot import from ${url}: only http:// and https:// URLs are supported`);
    const created = sourceDateEpoch(io.env);
    const store = await openImageStore(parsed, io);
    const message = typeof parsed.flags.message === 'string' && parsed.flags.message !== '' ? parsed.flags.message : url !== undefined ? `Imported from ${url}` : undefined;
    const input = url !== undefined ? await download(url) : source === '-' ? io.stdin : resolve(io.cwd, source);
    const image = await importRootfs(store, input, {
      changes: parsed.flags.change as string[],
      ...(name !== undefined ? { name } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(created !== undefined ? { created } : {}),
    });
    io.stdout.write(`${image.id}\n`);
    return exitCodes.ok;
  },
};

/** The body of an http(s) GET, as a stream; a status of 400 or more is an error, as dockerd says it. */
async function download(url: string): Promise<Readable> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    throw new TsbuildError('E_NOT_FOUND', `Get "${url}": ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, { cause: error });
  }
  if (response.status >= 400 || response.body === null) {
    throw new TsbuildError('E_NOT_FOUND', `failed to GET ${url} with status ${response.status} ${response.statusText}`);
  }
  return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
}
