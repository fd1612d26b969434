// `build --push`, `-o type=registry[,name=…]` and `-o type=image,push=true`: the built image sent to
// its registries under each name once it is in the store. A name that is not one of the build's
// tags is tagged in the store first (push reads the image by name). A failure names the registry
// and the tag it was pushing.
import { UsageError } from '../errors.js';
import { normalizeTagName, parseReference } from '../image/reference.js';
import { RegistryError } from '../registry/errors.js';
import { pushImage, type PushOptions, type PushResult } from '../registry/push.js';
import type { ImageStore } from '../store/image-store.js';
import type { OutputSpec } from './output-spec.js';

/** The names the build's outputs push, each once: --push's tags, and registry/image outputs (their names, else the tags). */
export function pushedNames(tags: readonly string[], push: boolean, outputs: readonly OutputSpec[]): string[] {
  const names = new Set<string>();
  if (push) for (const tag of tags) names.add(normalizeTagName(tag));
  for (const output of outputs) {
    if (!output.push) continue;
    for (const name of output.names ?? tags) names.add(normalizeTagName(name));
  }
  return [...names];
}

/** Refuses before the build what could not be pushed after it: a push with no name to push to. */
export function checkPushNames(tags: readonly string[], push: boolean, outputs: readonly OutputSpec[]): void {
  const pushing = push || outputs.some((output) => output.push);
  if (pushing && pushedNames(tags, push, outputs).length === 0) throw new UsageError('pushing the image needs a name: give --tag, or name=REF in the output');
  for (const name of pushedNames(tags, push, outputs)) {
    if (parseReference(name).digest !== undefined) throw new UsageError(`cannot push to ${name}: name a tag, not a digest`);
  }
}

export async function pushBuiltImage(store: ImageStore, imageDigest: string, names: readonly string[], options: PushOptions & { onStatus?: (line: string) => void }): Promise<PushResult[]> {
  const image = await store.load(imageDigest);
  const results: PushResult[] = [];
  for (const name of names) {
    if (!image.tags.some((tag) => tag.name === name)) await store.tag(image.id, name);
    options.onStatus?.(`pushing ${name}`);
    try {
      results.push(await pushImage(store, name, options));
    } catch (error) {
      const reference = parseReference(name);
      const message = `cannot push ${name} to ${reference.domain}: ${(error as Error).message}`;
      if (error instanceof RegistryError) throw new RegistryError(error.failure, message, error.status, { cause: error });
      throw new RegistryError('network', message, undefined, { cause: error });
    }
  }
  return results;
}
