// Decompression for ADD's archive detection and unpacking: gzip in-process (zlib), bzip2 and xz
// through the host's `bzip2`/`xz` tools reading from a pipe (never given a path to open), found by
// absolute path in the host's system folders: never through PATH (SECURITY lesson 4, CVE-2014-9357).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Compression } from '../snapshot/index.js';
import { findHostBinary } from '../snapshot/host-command.js';

const HOST_TOOL_NAME: Partial<Record<Compression, string>> = { bzip2: 'bzip2', xz: 'xz' };

/** The absolute path of the host tool for `compression`, if it needs one and the host has it. */
function hostTool(compression: Compression): string | undefined {
  const name = HOST_TOOL_NAME[compression];
  return name === undefined ? undefined : (findHostBinary(name) ?? undefined);
}

/** The first tar block of a (possibly truncated) compressed head, or null if it does not decompress. */
export async function decompressHead(head: Buffer, compression: Compression): Promise<Buffer | null> {
  if (compression === 'none') return head;
  if (compression === 'gzip') {
    try {
      return zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, 512);
    } catch {
      return null;
    }
  }
  const tool = hostTool(compression);
  if (tool === undefined) return null;
  return new Promise((resolve) => {
    const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    child.on('error', () => resolve(null));
    child.on('close', () => resolve(size > 0 ? Buffer.concat(chunks).subarray(0, 512) : null));
    child.stdin.on('error', () => undefined); // the tool may stop reading a truncated head early
    child.stdin.end(head);
  });
}

/** A stream of the decompressed tar (gzip is left to the layer reader, which undoes it itself). */
export function tarStream(host: string, compression: Compression): Readable {
  const tool = hostTool(compression);
  if (tool === undefined) {
    if (HOST_TOOL_NAME[compression] !== undefined) throw new Error(`cannot decompress ${compression}: no ${HOST_TOOL_NAME[compression]} in the host's system folders`);
    return fs.createReadStream(host);
  }
  const fd = fs.openSync(host, 'r');
  try {
    return spawn(tool, ['-dc'], { stdio: [fd, 'pipe', 'ignore'] }).stdout!;
  } finally {
    fs.closeSync(fd); // the child has its own copy
  }
}
