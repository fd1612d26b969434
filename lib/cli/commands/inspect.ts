// `tsbuild inspect [--type container|image] NAME... [--format TEMPLATE]`: Docker-shaped JSON for
// containers (see runner/container-inspect.ts) and images (Id, RepoTags, RepoDigests, Created,
// Author, Config, Architecture, Os, Size, RootFS, Metadata), or each one through a small subset of
// Go templates: `{{.Config.Env}}`, `{{json .State}}`, `{{.Id}}`. Without --type a container of
// that name or ID wins over an image, as with docker.
import { TsbuildError, UsageError } from '../../errors.js';
import { containerConfigJson } from '../../image/config.js';
import { goJson, goJsonIndent, type GoValue } from '../../image/go-json.js';
import { familiarName, familiarString, parseReference } from '../../image/reference.js';
import type { ImageStore, StoredImage } from '../../store/image-store.js';
import { containerInspectJson } from '../../runner/container-inspect.js';
import { ContainerStore } from '../../runner/container-store.js';
import { openCliRoot } from '../root-option.js';
import { exitCodes, type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';
import { imageSize, openImageStore } from './images.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Return low-level information on containers and images',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  flags: [
    { name: 'format', alias: 'f', type: 'string', value: 'TEMPLATE', description: 'Format the output using the given Go template' },
    { name: 'type', type: 'string', value: 'TYPE', choices: ['container', 'image'], description: 'Only look for this type of object' },
  ],
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length === 0) throw new UsageError('"inspect" requires at least 1 argument');
    const format = parsed.flags.format as string | undefined;
    const template = format === undefined ? undefined : parseTemplate(format);
    const store = await openImageStore(parsed, io);
    const containers = new ContainerStore(await openCliRoot(parsed, io));
    const type = parsed.flags.type as 'container' | 'image' | undefined;
    const found: GoValue[] = [];
    let status: number = exitCodes.ok;
    for (const reference of parsed.positionals) {
      const value = await inspectObject(reference, type, store, containers);
      if (value === undefined) {
        io.stderr.write(`Error: No such ${type ?? 'object'}: ${reference}\n`);
        status = exitCodes.failure;
        continue;
      }
      if (template !== undefined) io.stdout.write(`${template(value)}\n`);
      else found.push(value);
    }
    if (template === undefined) io.stdout.write(`${goJsonIndent(found, '    ')}\n`);
    return status;
  },
};

function notFound(error: unknown): undefined {
  if (error instanceof TsbuildError && !(error instanceof UsageError)) return undefined;
  throw error;
}

/** The container (unless --type image) or else the image (unless --type container) named `reference`. */
async function inspectObject(reference: string, type: 'container' | 'image' | undefined, store: ImageStore, containers: ContainerStore): Promise<GoValue | undefined> {
  if (type !== 'image') {
    const record = await containers.find(reference).catch(notFound);
    if (record !== undefined) {
      const image = await store.resolve(record.Image).catch(notFound);
      return containerInspectJson(record, image?.config.config);
    }
  }
  if (type === 'container') return undefined;
  const match = await store.match(reference).catch(notFound);
  return match === undefined ? undefined : inspectJson(match.image);
}

/** What `docker inspect` shows for an image. */
export function inspectJson(image: StoredImage): { [key: string]: GoValue } {
  const tags = image.tags.map((tag) => parseReference(tag.name));
  const repositories = [...new Set(tags.map((tag) => familiarName(tag)))];
  const lastTag = image.tags.map((tag) => tag.time).sort().at(-1);
  return {
    Id: image.id,
    RepoTags: tags.map(familiarString),
    RepoDigests: repositories.map((repository) => `${repository}@${image.manifestDigest}`),
    Parent: '',
    Comment: image.config.comment ?? '',
    Created: image.config.created ?? ZERO_TIME,
    DockerVersion: '',
    Author: image.config.author ?? '',
    Config: containerConfigJson(image.config.config),
    Architecture: image.config.architecture,
    ...(image.config.variant ? { Variant: image.config.variant } : {}),
    Os: image.config.os,
    Size: imageSize(image),
    RootFS: { Type: 'layers', Layers: [...image.config.rootfs.diff_ids] },
    Metadata: { LastTagTime: lastTag ?? ZERO_TIME },
  };
}

type Template = (data: GoValue) => string;

/** Literal text and `{{.Path}}` / `{{json .Path}}` actions; anything else is a usage error. */
export function parseTemplate(text: string): Template {
  const parts: ((data: GoValue) => string)[] = [];
  let rest = text;
  for (let open = rest.indexOf('{{'); open !== -1; open = rest.indexOf('{{')) {
    const close = rest.indexOf('}}', open);
    if (close === -1) throw new UsageError(`template parsing error: unclosed action in ${JSON.stringify(text)}`);
    const literal = rest.slice(0, open);
    parts.push(() => literal);
    parts.push(action(rest.slice(open + 2, close).trim(), text));
    rest = rest.slice(close + 2);
  }
  parts.push(() => rest);
  return (data) => parts.map((part) => part(data)).join('');
}

function action(body: string, text: string): (data: GoValue) => string {
  const match = /^(json\s+)?(\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?)$/.exec(body);
  if (match === null) throw new UsageError(`template: unsupported action {{${body}}} in ${JSON.stringify(text)} (supported: {{.Field.Path}} and {{json .Field.Path}})`);
  const path = match[2] === '.' ? [] : match[2]!.slice(1).split('.');
  const asJson = match[1] !== undefined;
  return (data) => {
    const value = lookup(data, path);
    if (value !== undefined) return asJson ? goJson(value) : goPrint(value);
    const unset = path.length === 2 && path[0] === 'Config' ? UNSET_CONFIG_FIELDS[path[1]!] : undefined;
    if (unset === undefined) throw new UsageError(`template: executing at <${match[2]}>: map has no entry for key ${JSON.stringify(path.at(-1))}`);
    return asJson ? unset.json : unset.text;
  };
}

/** How Docker prints config fields an image leaves unset (its Config is a full Go struct). */
const UNSET_CONFIG_FIELDS: Readonly<Record<string, { text: string; json: string }>> = {
  ...Object.fromEntries(['Env', 'Cmd', 'Entrypoint', 'OnBuild', 'Shell'].map((key) => [key, { text: '[]', json: 'null' }])),
  ...Object.fromEntries(['ExposedPorts', 'Volumes', 'Labels'].map((key) => [key, { text: 'map[]', json: 'null' }])),
  ...Object.fromEntries(['User', 'WorkingDir', 'StopSignal'].map((key) => [key, { text: '', json: '""' }])),
  Healthcheck: { text: '<nil>', json: 'null' },
  ArgsEscaped: { text: 'false', json: 'false' },
};

function lookup(data: GoValue, path: readonly string[]): GoValue | undefined {
  let current: GoValue | undefined = data;
  for (const key of path) {
    if (current === null || current === undefined || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = current instanceof Map ? current.get(key) : (current as Record<string, GoValue>)[key];
  }
  return current;
}

/** How Go's fmt prints a value in a template: `[a b]` for lists, `map[k:v]` for maps. */
function goPrint(value: GoValue): string {
  if (value === null) return '<nil>';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map(goPrint).join(' ')}]`;
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value).filter(([, item]) => item !== undefined);
  return `map[${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, item]) => `${key}:${goPrint(item as GoValue)}`).join(' ')}]`;
}
