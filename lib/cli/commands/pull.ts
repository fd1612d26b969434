// `tsbuild pull [--platform P] NAME`: downloads an image from its registry into the store, with
// Docker's progress lines (one per layer, then the digest and the status).
import type { Platform } from '../../../executor/image-config.js';
import { UsageError } from '../../errors.js';
import { familiarString, formatReference, parseReference, withDefaultTag } from '../../image/reference.js';
import type { RegistryOptions } from '../../registry/client.js';
import { pullImage } from '../../registry/pull.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { FlagSpec, ParsedFlags } from '../options.js';
import { openImageStore } from './images.js';

/** Flags every registry command shares. */
export const registryFlags: readonly FlagSpec[] = [
  { name: 'insecure-registry', type: 'strings', value: 'HOST', description: 'Allow plain HTTP to this registry (localhost always may)' },
];

/** Client options from the flags and the environment (`TSBUILD_REGISTRY_CA_FILES` names extra CA files). */
export function registryOptions(parsed: ParsedFlags, io: CliIO): RegistryOptions {
  const insecure = (parsed.flags['insecure-registry'] as string[] | undefined) ?? [];
  return { env: io.env, insecureRegistries: insecure };
}

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Download an image from a registry',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  flags: [
    { name: 'platform', type: 'string', value: 'OS/ARCH[/VARIANT]', description: 'Platform to pick from a multi-platform image (default: the host)' },
    { name: 'quiet', alias: 'q', type: 'boolean', description: 'Print only the image name' },
    ...registryFlags,
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 1) throw new UsageError('"pull" requires exactly 1 argument');
    const name = parsed.positionals[0] as string;
    const reference = withDefaultTag(parseReference(name));
    const quiet = parsed.flags.quiet === true;
    const platform = typeof parsed.flags.platform === 'string' ? parsePlatform(parsed.flags.platform) : undefined;
    const say = (line: string) => quiet || io.stdout.write(`${line}\n`);
    say(`${reference.tag ?? reference.digest}: Pulling from ${reference.path}`);
    const store = await openImageStore(parsed, io);
    const before = reference.tag !== undefined && reference.digest === undefined ? await store.records.getTag(formatReference(reference)) : undefined;
    const result = await pullImage(store, name, {
      ...registryOptions(parsed, io),
      ...(platform ? { platform } : {}),
      onLayer: (event) => say(`${event.digest.slice(7, 19)}: ${event.action === 'exists' ? 'Already exists' : 'Pull complete'}`),
    });
    say(`Digest: ${result.remoteDigest}`);
    const upToDate = before !== undefined && before.manifest === result.image.manifestDigest;
    say(`Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarString(reference)}`);
    io.stdout.write(`${reference.name}${reference.tag !== undefined ? `:${reference.tag}` : `@${reference.digest}`}\n`);
    return exitCodes.ok;
  },
};

function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  if (!os || !architecture || rest.length > 0) throw new UsageError(`invalid platform ${JSON.stringify(text)}: expected OS/ARCH[/VARIANT]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}
