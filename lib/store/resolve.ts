// How a reference the user typed finds an image, in Docker's order: a full image ID (64 hex
// digits, with or without `sha256:`), then a name (a tag, or `name@digest`), then a unique
// prefix of an image ID.
import { TsbuildError } from '../errors.js';
import { formatReference, parseReference, withDefaultTag } from '../image/reference.js';

export interface ImageMatch<I> {
  readonly image: I;
  /** The full tag name when the reference named a tag (rmi untags only that one then). */
  readonly byTag?: string;
}

export interface ImageLookups<I extends { readonly id: string; readonly manifestDigest: string }> {
  /** The image a full tag name points to. */
  tag(name: string): Promise<I | undefined>;
  manifest(digest: string): Promise<I | undefined>;
  all(): Promise<I[]>;
}

const FULL_ID = /^(?:sha256:)?([a-f0-9]{64})$/;
const ID_PREFIX = /^(?:sha256:)?([a-f0-9]{1,63})$/;

export async function findImage<I extends { readonly id: string; readonly manifestDigest: string }>(text: string, lookups: ImageLookups<I>): Promise<ImageMatch<I> | undefined> {
  const full = FULL_ID.exec(text);
  if (full !== null) {
    const digest = `sha256:${full[1]}`;
    const image = (await lookups.manifest(digest)) ?? (await lookups.all()).find((candidate) => candidate.id === digest);
    return image === undefined ? undefined : { image };
  }
  const named = await findByName(text, lookups);
  if (named !== undefined) return named;
  const prefix = ID_PREFIX.exec(text);
  return prefix === null ? undefined : findByIdPrefix(prefix[1]!, text, lookups);
}

async function findByName<I extends { readonly id: string; readonly manifestDigest: string }>(text: string, lookups: ImageLookups<I>): Promise<ImageMatch<I> | undefined> {
  let reference;
  try {
    reference = withDefaultTag(parseReference(text));
  } catch (error) {
    if (ID_PREFIX.test(text)) return undefined;
    throw error;
  }
  if (reference.digest !== undefined) {
    const image = /^sha256:[a-f0-9]{64}$/.test(reference.digest) ? await lookups.manifest(reference.digest) : undefined;
    return image === undefined ? undefined : { image };
  }
  const name = formatReference(reference);
  const image = await lookups.tag(name);
  return image === undefined ? undefined : { image, byTag: name };
}

async function findByIdPrefix<I extends { readonly id: string; readonly manifestDigest: string }>(prefix: string, text: string, lookups: ImageLookups<I>): Promise<ImageMatch<I> | undefined> {
  const matches = (await lookups.all()).filter((image) => image.id.startsWith(`sha256:${prefix}`));
  const ids = new Set(matches.map((image) => image.id));
  if (ids.size > 1) throw new TsbuildError('E_NOT_FOUND', `ambiguous image ID prefix ${JSON.stringify(text)}: it matches ${ids.size} images`);
  return matches[0] === undefined ? undefined : { image: matches[0] };
}
