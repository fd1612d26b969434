// What normalize.py prints for `docker export` of an image, computed from tsbuild's own store: the
// image's layers applied in order onto a scratch folder (whiteouts removed), then walked the way
// Docker's exporter walks (each folder's names sorted, depth first), so the first name of a hard
// linked file is the regular entry and later names are links to it.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContentStore } from '../../cache/content-store.js';
import { applyLayer } from '../../executor/snapshot/index.js';
import type { ImageConfig } from '../../lib/image/config.js';
import type { StoredImage } from '../../lib/store/image-store.js';

const SKIP_EXACT = new Set(['.dockerenv', 'dev', 'proc', 'sys', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab']);
const SKIP_PREFIX = ['dev/', 'proc/', 'sys/'];

/** normalize.py's sorted lines for the image's merged filesystem. */
export async function imageListing(content: ContentStore, image: StoredImage): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'compat-listing-'));
  try {
    for (const layer of image.layers) {
      await applyLayer(await content.createVerifiedReadStream(layer.digest), dir, { whiteouts: 'remove', devices: 'skip' });
    }
    const rows: string[] = [];
    await walk(dir, '', rows, new Map());
    return rows.sort();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function walk(root: string, rel: string, rows: string[], seenInodes: Map<string, string>): Promise<void> {
  for (const name of (await readdir(join(root, rel))).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const stats = await lstat(join(root, path));
    if (!SKIP_EXACT.has(path) && !SKIP_PREFIX.some((prefix) => path.startsWith(prefix))) {
      rows.push(await row(root, path, stats, seenInodes));
    }
    if (stats.isDirectory()) await walk(root, path, rows, seenInodes);
  }
}

async function row(root: string, path: string, stats: Stats, seenInodes: Map<string, string>): Promise<string> {
  const head = (kind: string): string => `${path} ${kind} ${(stats.mode & 0o7777).toString(8).padStart(4, '0')} ${stats.uid}:${stats.gid} `;
  if (stats.isSymbolicLink()) return `${head('l')}-> ${await readlink(join(root, path))}`;
  if (stats.isDirectory()) return head('d');
  if (!stats.isFile()) return head(stats.isFIFO() ? 'p' : stats.isCharacterDevice() ? 'c' : 'b');
  const inode = `${stats.dev}:${stats.ino}`;
  const first = stats.nlink > 1 ? seenInodes.get(inode) : undefined;
  if (first !== undefined) return `${head('h')}-> ${first}`;
  if (stats.nlink > 1) seenInodes.set(inode, path);
  return `${head('f')}${stats.size} ${(await sha256(join(root, path))).slice(0, 16)}`;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** generate.sh's expected.fs form: lines new or changed against the base, "- PATH" for removed ones. */
export function listingDifference(base: readonly string[], image: readonly string[]): string[] {
  const baseLines = new Set(base);
  const imagePaths = new Set(image.map(pathOf));
  const changed = image.filter((line) => !baseLines.has(line));
  const removed = base.filter((line) => !imagePaths.has(pathOf(line))).map((line) => `- ${pathOf(line)}`);
  return [...changed, ...removed].sort();
}

function pathOf(line: string): string {
  return line.split(' ')[0]!;
}

/** config.py's projection of an image config, as the same JSON text. */
export function configProjection(image: ImageConfig): string {
  const config = image.config as unknown as Record<string, unknown>;
  const keys = ['User', 'Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'ExposedPorts', 'Volumes', 'Labels', 'Healthcheck', 'OnBuild', 'StopSignal', 'Shell'];
  const out: Record<string, unknown> = { Author: emptyToNull(image.author) };
  for (const key of keys) out[key] = emptyToNull(config[key]);
  return pythonJson(out, 0);
}

/** Python's `x or None`: empty strings, lists and objects count as absent. */
function emptyToNull(value: unknown): unknown {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return null;
  if (Array.isArray(value) && value.length === 0) return null;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0) return null;
  return value;
}

/** json.dumps(indent=1, sort_keys=True), which escapes non-ASCII and puts ", " nowhere with indent. */
function pythonJson(value: unknown, depth: number): string {
  const pad = (n: number): string => '\n' + ' '.repeat(n);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((item) => pad(depth + 1) + pythonJson(item, depth + 1)).join(',')}${pad(depth)}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort();
    if (entries.length === 0) return '{}';
    const body = entries.map((key) => `${pad(depth + 1)}${pythonString(key)}: ${pythonJson((value as Record<string, unknown>)[key], depth + 1)}`);
    return `{${body.join(',')}${pad(depth)}}`;
  }
  if (typeof value === 'string') return pythonString(value);
  return JSON.stringify(value);
}

function pythonString(text: string): string {
  return JSON.stringify(text).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
