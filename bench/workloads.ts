// The workloads of the side-by-side benchmark: each is a build context (a Dockerfile and files)
// on the busybox base, and the phases it is measured in. Contexts are written once per bench run.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

/** cold: empty build cache, base image present; warm: same build again; touched: one file changed. */
export type Phase = 'cold' | 'warm' | 'touched';

export interface Workload {
  readonly name: string;
  readonly summary: string;
  readonly phases: readonly Phase[];
  /** Writes the context into `dir` (which exists and is empty). */
  create(dir: string): Promise<void>;
  /** Changes one file of the context so that the next build differs from the last (touched phase). */
  touch?(dir: string, serial: number): Promise<void>;
}

export const BASE_IMAGE = 'localhost/busybox:test';
const FROM = `FROM ${BASE_IMAGE}\n`;

const hello: Workload = {
  name: 'hello',
  summary: 'one RUN writing a file',
  phases: ['cold', 'warm'],
  create: (dir) => writeFile(join(dir, 'Dockerfile'), `${FROM}RUN echo hello > /hello.txt\n`),
};

const many: Workload = {
  name: 'many',
  summary: 'thirty RUN steps, each writing a file',
  phases: ['cold', 'warm'],
  create: (dir) => {
    const runs = Array.from({ length: 30 }, (_, n) => `RUN echo step ${n} > /step-${n}.txt\n`);
    return writeFile(join(dir, 'Dockerfile'), FROM + runs.join(''));
  },
};

/** `files` small files (1–7 KiB, 4 KiB on average) in files/50 folders, copied with `COPY . /app`. */
function contextWorkload(name: string, files: number, phases: readonly Phase[] = ['cold', 'warm', 'touched']): Workload {
  const folders = Math.max(1, Math.round(files / 50));
  const touched = join(`pkg-${String(Math.floor(folders / 2)).padStart(4, '0')}`, 'src', 'file-7.js');
  return {
    name,
    summary: `COPY . /app of ${files.toLocaleString('en')} small files in ${folders} folders`,
    phases,
    create: async (dir) => {
      await writeFile(join(dir, 'Dockerfile'), `${FROM}COPY . /app\n`);
      await writeSmallFiles(dir, files, folders);
    },
    touch: (dir, serial) => writeFile(join(dir, touched), `// touched ${serial}\n`),
  };
}

async function writeSmallFiles(dir: string, files: number, folders: number): Promise<void> {
  const perFolder = Math.ceil(files / folders);
  for (let folder = 0; folder < folders; folder++) {
    const sub = join(dir, `pkg-${String(folder).padStart(4, '0')}`, 'src');
    await mkdir(sub, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let n = 0; n < perFolder && folder * perFolder + n < files; n++) {
      const index = folder * perFolder + n;
      const content = Buffer.alloc(1024 + ((index * 7919) % 6145), index % 251);
      content.writeUInt32LE(index, 0);
      writes.push(writeFile(join(sub, `file-${n}.js`), content));
    }
    await Promise.all(writes);
  }
}

const MiB = 1 << 20;

const big: Workload = {
  name: 'big',
  summary: 'COPY of one 512 MiB file',
  phases: ['cold', 'warm'],
  create: async (dir) => {
    await writeFile(join(dir, 'Dockerfile'), `${FROM}COPY big.bin /big.bin\n`);
    await writeIncompressible(join(dir, 'big.bin'), 512 * MiB);
  },
};

/** Pseudo-random bytes, so that neither tool gains from compression or sparse files. */
async function writeIncompressible(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = Buffer.alloc(MiB);
  let state = 0x9e3779b9;
  for (let at = 0; at < size; at += MiB) {
    for (let i = 0; i < MiB; i += 4) {
      state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
      chunk.writeInt32LE(state | 0, i);
    }
    if (!out.write(Buffer.from(chunk))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const fanout: Workload = {
  name: 'fanout',
  summary: 'four independent stages that each sleep 1 s, joined by COPY --from',
  phases: ['cold'],
  create: (dir) => {
    const names = ['a', 'b', 'c', 'd'];
    const stages = names.map((n) => `FROM ${BASE_IMAGE} AS ${n}\nRUN sleep 1 && echo ${n} > /${n}.txt\n`);
    const joins = names.map((n) => `COPY --from=${n} /${n}.txt /${n}.txt\n`);
    return writeFile(join(dir, 'Dockerfile'), stages.join('') + FROM + joins.join(''));
  },
};

/** The default set, in the order they run. */
export const DEFAULT_WORKLOADS: readonly Workload[] = [hello, many, contextWorkload('ctx20k', 20_000), big, fanout];

/** Only on request (--only or --scale): how cost grows with the size of the context. */
export const SCALE_WORKLOADS: readonly Workload[] = [
  contextWorkload('ctx5k', 5_000, ['cold', 'warm']), contextWorkload('ctx20k', 20_000, ['cold', 'warm']), contextWorkload('ctx80k', 80_000, ['cold', 'warm']),
];

export function findWorkload(name: string): Workload | undefined {
  return [...DEFAULT_WORKLOADS, ...SCALE_WORKLOADS].find((w) => w.name === name);
}
