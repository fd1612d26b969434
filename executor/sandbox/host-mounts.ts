// Reads the host's mount table. Two uses: (1) a bind mount that gets new flags is remounted, and in
// a user namespace the kernel refuses to drop flags inherited from the host mount ("locked"
// nosuid/nodev/noexec/ro/atime) while util-linux 2.38 does not carry them over by itself, so we
// carry them over explicitly; (2) a last check that no mount is visible under a folder before it
// is deleted recursively, so a propagation mistake can never turn cleanup into deleting host files.
import { readFile, realpath } from 'node:fs/promises';

interface MountInfoEntry {
  readonly mountPoint: string;
  readonly options: readonly string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountInfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

async function readMountInfo(): Promise<MountInfoEntry[]> {
  const text = await readFile('/proc/self/mountinfo', 'latin1');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(' ');
      const mountPoint = Buffer.from(unescapeMountInfo(fields[4]!), 'latin1').toString('utf8');
      return { mountPoint, options: fields[5]!.split(',') };
    });
}

function contains(mountPoint: string, path: string): boolean {
  return mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
}

const PRESERVED = ['ro', 'nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime'];

/** One read of the host's mount table, for the several lookups a run makes. */
export class HostMountTable {
  private constructor(private readonly entries: readonly MountInfoEntry[]) {}

  static async read(): Promise<HostMountTable> {
    return new HostMountTable(await readMountInfo());
  }

  /**
   * The per-mount flags of the host mount holding `path`, as mount(8) options to repeat on a bind
   * of it. No relatime/noatime in mountinfo means strictatime, which must be repeated too.
   */
  async flagsFor(path: string): Promise<string[]> {
    const real = await realpath(path);
    // The last matching entry with the longest mount point is the one on top.
    let best: MountInfoEntry | undefined;
    for (const entry of this.entries) {
      if (contains(entry.mountPoint, real) && (!best || entry.mountPoint.length >= best.mountPoint.length)) best = entry;
    }
    const options = best?.options ?? [];
    const flags = PRESERVED.filter((flag) => options.includes(flag));
    if (!flags.includes('relatime') && !flags.includes('noatime')) flags.push('strictatime');
    return flags;
  }
}

export async function inheritedMountFlags(path: string): Promise<string[]> {
  return (await HostMountTable.read()).flagsFor(path);
}

/** Mount points at or below `dir` in this (the host's) mount namespace. */
export async function mountsBelow(dir: string): Promise<string[]> {
  const real = await realpath(dir);
  return (await readMountInfo()).map((entry) => entry.mountPoint).filter((point) => point === real || point.startsWith(`${real}/`));
}
