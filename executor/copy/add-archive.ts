// ADD of a local archive: detected by content (compression magic, then the tar `ustar` magic or a
// valid v7 header checksum), never by name, and unpacked with the layer reader's budgets into the
// destination folder (resolved inside the rootfs first), as BuildKit's untar without whiteouts.
import fs from 'node:fs';
import { decompressHead, tarStream } from './archive-head.js';
import { applyLayer, type Compression, detectCompression, InRoot } from '../snapshot/index.js';

const HEAD_BYTES = 1024 * 1024;

/** The compression of the local file at `host` if it is a (possibly compressed) tar archive, else null. */
export async function archiveCompression(host: string): Promise<Compression | null> {
  const info = fs.statSync(host);
  if (!info.isFile() || info.size === 0) return null;
  const fd = fs.openSync(host, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, info.size));
    head = buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    fs.closeSync(fd);
  }
  const compression = detectCompression(head);
  if (compression === 'zstd') return null; // BuildKit's ADD does not unpack zstd
  const plain = await decompressHead(head, compression);
  return plain !== null && looksLikeTar(plain) ? compression : null;
}

function looksLikeTar(block: Buffer): boolean {
  if (block.length < 512) return false;
  if (block.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const stored = parseInt(block.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return Number.isFinite(stored) && stored === sum;
}

/**
 * Unpacks into `destDir` (absolute in the rootfs). As BuildKit 0.13 does, `owner` (--chown) only
 * owns the folders created for the destination; entries keep the archive's owners.
 */
export async function unpackArchive(rootfs: string, host: string, compression: Compression, destDir: string, owner: { uid: number; gid: number } | undefined, signal?: AbortSignal, label?: string): Promise<void> {
  const root = await InRoot.open(rootfs);
  const created = owner ?? { uid: 0, gid: 0 };
  const location = await root.ensureDir(destDir, async () => ({ mode: 0o755, uid: created.uid, gid: created.gid }));
  await applyLayer(tarStream(host, compression), location.host, {
    whiteouts: 'literal',
    archiveBytes: fs.statSync(host).size,
    ...(label !== undefined ? { label } : {}),
    ...(signal ? { signal } : {}),
  });
}
