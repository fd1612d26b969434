// Writes an OCI layer tar (uncompressed) from a differ's change list, the way containerd's
// ChangeWriter does, so the bytes match what BuildKit produces for the same changes:
// - entries in walk order; a folder's header is written before anything inside it, and folders
//   that did not change themselves are written when a child needs them ("include parents");
// - deletions as empty regular files `dir/.wh.name` with mode 0, owner 0:0 and mtime 0;
// - numeric uid/gid only (no user or group names), as the container sees them (owner-table.ts), mtimes truncated to seconds and optionally
//   clamped to SOURCE_DATE_EPOCH, PAX headers only when USTAR cannot hold a field;
// - hard links: the first path of an inode written is the file, later ones `Link` entries to it;
//   an unchanged path sharing the inode of a written one is written as a link too;
// - sockets are left out.
// It streams: large files are read in chunks, never whole, and the DiffID is hashed on the way.
// Small files (most of a big context) are read with three synchronous calls instead of four trips
// through libuv's thread pool, and the tar leaves in chunks of about 256 KiB rather than one
// buffer per header, content and padding: both cut per-file latency, which dominates many-file layers.
// A user file whose name starts with `.wh.` is refused before the first byte (SECURITY A8): in a
// layer it would act as a whiteout wherever the layer is unpacked (openshift/imagebuilder#75).
import * as fs from 'node:fs';
import { constants } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable, type Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { TsbuildError } from '../../lib/errors.js';
import { type Change, isMultiplyLinked } from './change.js';
import { DigestMeter } from './digest-meter.js';
import { deviceNumbers } from './in-root.js';
import type { LayerChanges } from './layer-diff.js';
import { containerOwner } from './owner-table.js';
import * as tar from './tar-header.js';
import { isWhiteoutLikeName, WHITEOUT_PREFIX } from './whiteout-names.js';

export interface LayerWriterOptions {
  /** SOURCE_DATE_EPOCH in seconds: later mtimes are clamped to it (whiteouts always use 0). */
  readonly sourceDateEpoch?: number;
}

export interface LayerDigest {
  /** sha256 of the uncompressed tar: the layer's DiffID. */
  readonly diffId: string;
  readonly size: number;
}

/** Streams the layer into `sink` and returns its DiffID once everything is written. */
export async function writeLayerTar(layer: LayerChanges, sink: Writable, options: LayerWriterOptions = {}): Promise<LayerDigest> {
  refuseWhiteoutNames(layer.changes);
  const meter = new DigestMeter();
  await pipeline(layerTarStream(layer, options), meter, sink);
  return { diffId: meter.digest(), size: meter.bytes };
}

/** The layer tar as a stream, for callers that hash or store it themselves. */
export function layerTarStream(layer: LayerChanges, options: LayerWriterOptions = {}): Readable {
  // Refused here, synchronously: thrown from inside the generator, the error surfaced as a stream
  // 'error' nobody listened to yet (an uncaught exception that left the step's overlay mounted).
  refuseWhiteoutNames(layer.changes);
  return Readable.from(coalesced(layerChunks(layer, options)), { objectMode: false });
}

/**
 * gzip for export only (the DiffID is always of the uncompressed tar). zlib writes no timestamp
 * or file name in the gzip header, so the same tar always compresses to the same bytes.
 */
export function gzipStage(options: { level?: number } = {}): Transform {
  return createGzip({ level: options.level ?? zlibConstants.Z_DEFAULT_COMPRESSION });
}

/** SECURITY A8: throws for any path component that a reader would take as a whiteout. */
export function refuseWhiteoutNames(changes: readonly Change[]): void {
  for (const change of changes) {
    const part = change.path.split('/').find(isWhiteoutLikeName);
    if (part !== undefined) {
      throw new TsbuildError(
        'E_STEP',
        `refusing to write /${change.path} into a layer: names starting with "${WHITEOUT_PREFIX}" are whiteout markers in image layers and would delete files wherever the layer is unpacked`,
      );
    }
  }
}

async function* layerChunks(layer: LayerChanges, options: LayerWriterOptions): AsyncGenerator<Buffer> {
  refuseWhiteoutNames(layer.changes);
  const entries = new EntryWriter(layer.sourceRoot, options);
  for (const change of layer.changes) yield* entries.write(change);
  yield tar.TAR_TRAILER;
}

/** Joins small buffers into chunks of at least `target` bytes (the tar bytes are unchanged). */
async function* coalesced(source: AsyncIterable<Buffer>, target = 256 * 1024): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= target) {
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

class EntryWriter {
  private readonly addedDirs = new Set<string>();
  private readonly inodeSource = new Map<string, string>();
  private readonly inodeRefs = new Map<string, string[]>();

  constructor(
    private readonly sourceRoot: string,
    private readonly options: LayerWriterOptions,
  ) {}

  async *write(change: Change): AsyncGenerator<Buffer> {
    if (change.kind === 'delete') {
      const header = whiteoutHeader(change.path);
      yield* this.includeParents(header);
      yield tar.encodeTarHeader(header);
      return;
    }
    const info = change.stat!;
    if (info.isSocket()) return;
    let header = await this.headerOf(change);
    let extraLinks: string[] = [];
    if (isMultiplyLinked(info)) {
      const inode = `${info.dev}:${info.ino}`;
      const source = this.inodeSource.get(inode);
      if (source !== undefined) {
        header = { ...header, typeflag: tar.TYPE_HARDLINK, linkname: source, size: 0 };
      } else if (change.kind === 'unmodified') {
        this.inodeRefs.set(inode, [...(this.inodeRefs.get(inode) ?? []), header.name]);
        return;
      } else {
        this.inodeSource.set(inode, header.name);
        extraLinks = this.inodeRefs.get(inode) ?? [];
        this.inodeRefs.delete(inode);
      }
    } else if (change.kind === 'unmodified') {
      return;
    }
    yield* this.includeParents(header);
    yield tar.encodeTarHeader(header);
    if (header.typeflag === tar.TYPE_FILE && header.size > 0) yield* fileContent(change.host!, header.size);
    for (const name of extraLinks) {
      const link = { ...header, name, typeflag: tar.TYPE_HARDLINK, linkname: header.name, size: 0 };
      yield* this.includeParents(link);
      yield tar.encodeTarHeader(link);
    }
  }

  /** Writes the parent folder first unless it already was (containerd includeParents). */
  private async *includeParents(header: tar.TarHeader): AsyncGenerator<Buffer> {
    const name = header.name.replace(/\/$/, '');
    const parent = posix.dirname(name);
    if (parent !== '.' && !this.addedDirs.has(parent)) {
      this.addedDirs.add(parent);
      const host = join(this.sourceRoot, parent);
      const info = await lstat(host, { bigint: true });
      if (!info.isDirectory()) throw new TsbuildError('E_STEP', `layer source: /${parent} is not a folder`);
      yield* this.write({ kind: 'modify', path: parent, stat: info, host });
    }
    if (header.typeflag === tar.TYPE_DIR) this.addedDirs.add(name);
  }

  private async headerOf(change: Change): Promise<tar.TarHeader> {
    const info = change.stat!;
    let mtime = Number(info.mtimeNs / 1_000_000_000n);
    if (this.options.sourceDateEpoch !== undefined && mtime > this.options.sourceDateEpoch) mtime = this.options.sourceDateEpoch;
    const device = info.isCharacterDevice() || info.isBlockDevice() ? deviceNumbers(info.rdev) : { major: 0, minor: 0 };
    return {
      name: info.isDirectory() ? `${change.path}/` : change.path,
      typeflag: typeflagOf(info),
      mode: Number(info.mode) & 0o7777,
      ...(await containerOwner(change.host!, info)),
      size: info.isFile() ? Number(info.size) : 0,
      mtime,
      linkname: info.isSymbolicLink() ? await readlink(change.host!) : '',
      devmajor: device.major,
      devminor: device.minor,
    };
  }
}

function typeflagOf(info: { isDirectory(): boolean; isSymbolicLink(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean }): string {
  if (info.isDirectory()) return tar.TYPE_DIR;
  if (info.isSymbolicLink()) return tar.TYPE_SYMLINK;
  if (info.isCharacterDevice()) return tar.TYPE_CHAR;
  if (info.isBlockDevice()) return tar.TYPE_BLOCK;
  if (info.isFIFO()) return tar.TYPE_FIFO;
  return tar.TYPE_FILE;
}

/** containerd v2: whiteouts carry no metadata (mode 0, root, mtime 0) so they never vary. */
function whiteoutHeader(path: string): tar.TarHeader {
  const dir = posix.dirname(path);
  const name = `${dir === '.' ? '' : `${dir}/`}${WHITEOUT_PREFIX}${posix.basename(path)}`;
  return { name, typeflag: tar.TYPE_FILE, mode: 0, uid: 0, gid: 0, size: 0, mtime: 0 };
}

/** Files up to this size are read whole, synchronously (microseconds each on a warm page cache). */
const SMALL_FILE = 1024 * 1024;

/** Exactly `size` bytes of the file, then padding; a file that changed size meanwhile is an error. */
async function* fileContent(host: string, size: number): AsyncGenerator<Buffer> {
  if (size <= SMALL_FILE) {
    yield smallFileContent(host, size);
    yield tar.padding(size);
    return;
  }
  const handle = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const chunk = Buffer.alloc(Math.min(left, 256 * 1024));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) throw new TsbuildError('E_STEP', `${host} shrank while its layer was being written`);
      left -= bytesRead;
      yield chunk.subarray(0, bytesRead);
    }
    const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, null);
    if (bytesRead !== 0) throw new TsbuildError('E_STEP', `${host} grew while its layer was being written`);
  } finally {
    await handle.close();
  }
  yield tar.padding(size);
}

function smallFileContent(host: string, size: number): Buffer {
  const fd = fs.openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    // One byte more than expected, to notice a file that grew.
    const buffer = Buffer.allocUnsafe(size + 1);
    let filled = 0;
    for (let read = -1; read !== 0 && filled <= size; filled += read) read = fs.readSync(fd, buffer, filled, size + 1 - filled, null);
    if (filled < size) throw new TsbuildError('E_STEP', `${host} shrank while its layer was being written`);
    if (filled > size) throw new TsbuildError('E_STEP', `${host} grew while its layer was being written`);
    return buffer.subarray(0, size);
  } finally {
    fs.closeSync(fd);
  }
}
