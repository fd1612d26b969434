// Containers under the root's `containers` folder, one folder per container named by its full ID:
//   state.json   what `ps`, `inspect` and `rm` read (Docker's field names), replaced atomically
//   upper/       the container's writable layer (the overlay upper), kept until `rm`
//   mnt/         mount point and scratch while the filesystem is mounted
//   container.log  what the process wrote, for `logs`
// One process (the one running the container) writes a container's state while it runs; the
// others only read it, or remove a container that has stopped.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../cache/atomic-file.js';
import type { RootLayout } from '../../cache/root.js';
import { TsbuildError } from '../errors.js';
import type { LaunchConfig } from './launch-config.js';
import type { PublishedPort } from './port-spec.js';

export type ContainerLayout = Pick<RootLayout, 'containers' | 'tmp'>;

export interface HealthResult {
  readonly Start: string;
  readonly End: string;
  readonly ExitCode: number;
  readonly Output: string;
}

export interface HealthState {
  readonly Status: 'starting' | 'healthy' | 'unhealthy';
  readonly FailingStreak: number;
  /** The last results, oldest first (Docker keeps five). */
  readonly Log: readonly HealthResult[];
}

export interface ContainerRunState {
  readonly Status: 'created' | 'running' | 'exited';
  readonly Running: boolean;
  /** Host pid of the container's first process (0 when not running or not found). */
  readonly Pid: number;
  /** The process running the container (the CLI, or the detached monitor). */
  readonly MonitorPid: number;
  readonly ExitCode: number;
  readonly Error: string;
  readonly StartedAt: string;
  readonly FinishedAt: string;
  readonly Health?: HealthState;
  /** Host addresses relaying to container ports while it runs (`-p`). */
  readonly Ports?: readonly PublishedPort[];
}

export interface ContainerRecord {
  readonly Id: string;
  readonly Name: string;
  readonly Created: string;
  /** The image ID (config digest) and the reference the user gave. */
  readonly Image: string;
  readonly ImageRef: string;
  readonly AutoRemove: boolean;
  readonly Config: LaunchConfig;
  readonly State: ContainerRunState;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

export function initialRunState(): ContainerRunState {
  return { Status: 'created', Running: false, Pid: 0, MonitorPid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME };
}

/** Docker's generated names are adjective_surname; ours are shorter but just as unique in a root. */
export function generatedName(id: string): string {
  return `tsbuild_${id.slice(0, 8)}`;
}

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class ContainerStore {
  constructor(readonly layout: ContainerLayout) {}

  dir(id: string): string {
    return join(this.layout.containers, id);
  }

  paths(id: string): { state: string; upper: string; mnt: string; log: string } {
    const dir = this.dir(id);
    return { state: join(dir, 'state.json'), upper: join(dir, 'upper'), mnt: join(dir, 'mnt'), log: join(dir, 'container.log') };
  }

  async write(record: ContainerRecord): Promise<void> {
    await writeFileAtomic(this.paths(record.Id).state, `${JSON.stringify(record, null, 2)}\n`, { tmpDir: this.layout.tmp, mode: 0o600 });
  }

  async read(id: string): Promise<ContainerRecord | undefined> {
    const text = await readFile(this.paths(id).state, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as ContainerRecord);
  }

  /** Every container with a readable state, newest first. */
  async list(): Promise<ContainerRecord[]> {
    const names = await readdir(this.layout.containers).catch(() => [] as string[]);
    const records = await Promise.all(names.filter((name) => /^[a-f0-9]{64}$/.test(name)).map((name) => this.read(name)));
    return records.filter((record): record is ContainerRecord => record !== undefined).sort((a, b) => b.Created.localeCompare(a.Created));
  }

  /** By full or unique-prefix ID, or by name (Docker's order: exact ID, name, ID prefix). */
  async find(reference: string): Promise<ContainerRecord> {
    const all = await this.list();
    const byName = reference.replace(/^\//, '');
    const exact = all.find((record) => record.Id === reference) ?? all.find((record) => record.Name === byName);
    if (exact !== undefined) return exact;
    const prefixed = /^[a-f0-9]+$/.test(reference) ? all.filter((record) => record.Id.startsWith(reference)) : [];
    if (prefixed.length > 1) throw new TsbuildError('E_USAGE', `multiple IDs found with provided prefix: ${reference}`);
    if (prefixed.length === 0) throw new TsbuildError('E_NOT_FOUND', `No such container: ${reference}`);
    return prefixed[0]!;
  }

  /** Refuses a bad or taken name, as Docker does. */
  async checkName(name: string): Promise<void> {
    if (!NAME_PATTERN.test(name)) throw new TsbuildError('E_USAGE', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const taken = (await this.list()).find((record) => record.Name === name);
    if (taken !== undefined) {
      throw new TsbuildError('E_USAGE', `Conflict. The container name "/${name}" is already in use by container "${taken.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
  }

  /** Deletes the container's folder; the caller made sure nothing is mounted or running. */
  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /** The ID of a container made from `imageId`, if any (rmi refuses to delete such an image). */
  async userOfImage(imageId: string): Promise<ContainerRecord | undefined> {
    return (await this.list()).find((record) => record.Image === imageId);
  }
}
