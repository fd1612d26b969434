// `tsbuild images [-q] [--digests] [--no-trunc] [-f FILTER] [REPO[:TAG]]`: the images in the store,
// with Docker's columns (REPOSITORY TAG IMAGE ID CREATED SIZE), one row per tag and `<none>` rows
// for untagged images. Filters as Docker's: `reference=PATTERN` (repeatable, any may match; a
// positional argument with wildcards is one too) and `dangling=true|false`. Also the helpers the
// other image commands share.
import { UsageError } from '../../errors.js';
import { familiarName, parseReference, type ImageReference } from '../../image/reference.js';
import { isReferencePattern, referenceMatcher } from '../../image/reference-pattern.js';
import { parseCreated } from '../../image/timestamps.js';
import { ImageStore, shortId, type StoredImage } from '../../store/image-store.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';
import { humanSize } from '../units.js';

export const imagesCommand: Command = {
  name: 'images',
  summary: 'List images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  flags: [
    { name: 'quiet', alias: 'q', type: 'boolean', description: 'Only show image IDs' },
    { name: 'digests', type: 'boolean', description: 'Show digests' },
    { name: 'no-trunc', type: 'boolean', description: "Don't truncate output" },
    { name: 'all', alias: 'a', type: 'boolean', description: 'Show all images (there are no intermediate images to hide)' },
    { name: 'filter', alias: 'f', type: 'strings', value: 'FILTER', description: 'Filter output: reference=PATTERN, dangling=true|false' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length > 1) throw new UsageError('"images" accepts at most one argument');
    const filter = imageFilter(parsed.positionals[0], parsed.flags.filter as string[]);
    const store = await openImageStore(parsed, io);
    const rows = imageRows(await store.list(), filter);
    const noTrunc = parsed.flags['no-trunc'] === true;
    const id = (image: StoredImage): string => (noTrunc ? image.id : shortId(image.id));
    if (parsed.flags.quiet) {
      io.stdout.write(rows.map((row) => `${id(row.image)}\n`).join(''));
      return exitCodes.ok;
    }
    const digests = parsed.flags.digests === true;
    const header = ['REPOSITORY', 'TAG', ...(digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
    const now = Date.now();
    const body = rows.map((row) => [row.repository, row.tag, ...(digests ? [row.digest] : []), id(row.image), createdAgo(row.image.config.created, now), humanSize(imageSize(row.image))]);
    io.stdout.write(dockerTable([header, ...body]));
    return exitCodes.ok;
  },
};

interface ImageRow {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly image: StoredImage;
}

interface ImageFilter {
  /** A positional REPOSITORY[:TAG] without wildcards: that repository (and tag) exactly. */
  readonly exact?: ImageReference;
  /** reference= patterns; a tag is shown when any matches. */
  readonly patterns: readonly ((fullTag: string) => boolean)[];
  readonly dangling?: boolean;
}

function imageFilter(positional: string | undefined, filters: readonly string[]): ImageFilter {
  const patterns: ((fullTag: string) => boolean)[] = [];
  let dangling: boolean | undefined;
  for (const text of filters) {
    const [key, value] = [text.slice(0, text.indexOf('=')), text.slice(text.indexOf('=') + 1)];
    if (key === 'reference' && text.includes('=')) patterns.push(referenceMatcher(value));
    else if (key === 'dangling' && (value === 'true' || value === 'false')) dangling = value === 'true';
    else if (key === 'dangling') throw new UsageError(`invalid filter 'dangling=${value}': expected true or false`);
    else throw new UsageError(`invalid filter '${text}': tsbuild images knows reference=PATTERN and dangling=true|false`);
  }
  if (positional !== undefined && isReferencePattern(positional)) patterns.push(referenceMatcher(positional));
  const exact = positional !== undefined && !isReferencePattern(positional) ? parseReference(positional) : undefined;
  return { patterns, ...(exact ? { exact } : {}), ...(dangling !== undefined ? { dangling } : {}) };
}

function imageRows(images: readonly StoredImage[], filter: ImageFilter): ImageRow[] {
  const byName = filter.exact !== undefined || filter.patterns.length > 0;
  const rows: ImageRow[] = [];
  for (const image of images) {
    const untagged = image.tags.length === 0;
    if (filter.dangling !== undefined && filter.dangling !== untagged) continue;
    if (untagged && !byName) rows.push({ repository: '<none>', tag: '<none>', digest: image.manifestDigest, image });
    for (const tag of image.tags) {
      if (!tagShown(tag.name, filter)) continue;
      const reference = parseReference(tag.name);
      rows.push({ repository: familiarName(reference), tag: reference.tag ?? '<none>', digest: image.manifestDigest, image });
    }
  }
  return rows;
}

function tagShown(fullTag: string, filter: ImageFilter): boolean {
  const { exact } = filter;
  if (exact !== undefined) {
    const reference = parseReference(fullTag);
    if (reference.name !== exact.name || (exact.tag !== undefined && reference.tag !== exact.tag)) return false;
  }
  return filter.patterns.length === 0 || filter.patterns.some((matches) => matches(fullTag));
}

/** The store of this invocation's root. */
export async function openImageStore(parsed: ParsedFlags, io: CliIO): Promise<ImageStore> {
  return ImageStore.open(await openCliRoot(parsed, io));
}

/** What Docker reports as an image's Size: its layers unpacked (see lib/store/unpacked-size.ts). */
export function imageSize(image: StoredImage): number {
  return image.size;
}

/** `5 minutes ago`, or `N/A` for an image without a creation time. */
export function createdAgo(created: string | undefined, now: number): string {
  const date = parseCreated(created);
  return date === undefined ? 'N/A' : `${humanDuration(now - date.getTime())} ago`;
}

/** go-units HumanDuration: how Docker words an age. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(milliseconds / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(milliseconds / 3_600_000 / 24 / 365)} years`;
}

/** Docker's tables: Go's tabwriter with a minimum cell width of 10 and 3 spaces of padding. */
export function dockerTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(10, ...rows.map((row) => [...row[column]!].length + 3)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - [...cell].length))).join('')).join('\n') + '\n';
}

