// `tsbuild save [-o FILE] [--format docker|oci] IMAGE...`: images as a tar archive, like
// `docker save`. The docker format is what Docker 25+ writes (an OCI layout with manifest.json
// and repositories; layers uncompressed as in the store); `--format oci` is the OCI layout alone
// (an OCI archive for skopeo's `oci-archive:`). Without -o the archive goes to stdout, never to a
// terminal. A repository name without a tag saves all of its tags, as docker save does.
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { keepOpen, requireNonTerminal, writeFileVia } from '../../export/archive-target.js';
import { writeImageArchive, type ArchiveFormat, type NamedImage } from '../../export/write-archive.js';
import { parseReference } from '../../image/reference.js';
import { noSuchImage, repositoryOf, type ImageStore, type StoredImage } from '../../store/image-store.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openImageStore } from './images.js';

export const saveCommand: Command = {
  name: 'save',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  flags: [
    { name: 'output', alias: 'o', type: 'string', value: 'FILE', description: 'Write to a file, instead of STDOUT' },
    { name: 'format', type: 'string', value: 'FORMAT', choices: ['docker', 'oci'], default: 'docker', description: 'Archive format' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length === 0) throw new UsageError('"save" requires at least 1 argument: IMAGE [IMAGE...]');
    const output = parsed.flags.output as string | undefined;
    const sink = output === undefined ? requireNonTerminal(io.stdout, 'the archive') : undefined;
    const store = await openImageStore(parsed, io);
    const images = await namedImages(store, parsed.positionals);
    const options = { format: parsed.flags.format as ArchiveFormat, compression: 'none' as const };
    if (output === undefined) await writeImageArchive(store, images, keepOpen(sink!), options);
    else await writeFileVia(resolve(io.cwd, output), (file) => writeImageArchive(store, images, file, options));
    return exitCodes.ok;
  },
};

/**
 * One entry per image. A tag adds that name; a repository name alone adds every tag of that
 * repository (as docker save does); an ID or digest adds none.
 */
export async function namedImages(store: ImageStore, references: readonly string[]): Promise<NamedImage[]> {
  const byManifest = new Map<string, { image: StoredImage; names: string[] }>();
  const add = (image: StoredImage, name: string | undefined): void => {
    const entry = byManifest.get(image.manifestDigest) ?? { image, names: [] };
    if (name !== undefined && !entry.names.includes(name)) entry.names.push(name);
    byManifest.set(image.manifestDigest, entry);
  };
  for (const reference of references) {
    const tagged = await repositoryTags(store, reference);
    if (tagged.length > 0) {
      for (const { image, name } of tagged) add(image, name);
      continue;
    }
    const match = await store.match(reference);
    if (match === undefined) throw noSuchImage(reference);
    add(match.image, match.byTag);
  }
  return [...byManifest.values()];
}

/** Every tag of the repository `reference` names when it is a bare repository name. */
async function repositoryTags(store: ImageStore, reference: string): Promise<{ image: StoredImage; name: string }[]> {
  let parsed;
  try {
    parsed = parseReference(reference);
  } catch {
    return []; // an ID or an ID prefix
  }
  if (parsed.tag !== undefined || parsed.digest !== undefined) return [];
  const found: { image: StoredImage; name: string }[] = [];
  for (const image of await store.list()) {
    for (const tag of image.tags) if (repositoryOf(tag.name) === parsed.name) found.push({ image, name: tag.name });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}
