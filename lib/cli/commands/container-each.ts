// The shape of docker's multi-container commands (stop, start, restart, rm): each reference is handled
// on its own, printed on success, reported as the daemon would on failure; status 1 if any failed.
import { TsbuildError, UsageError } from '../../errors.js';
import type { ContainerRecord } from '../../runner/container-store.js';
import type { Runtime } from '../../runner/run-container.js';
import { openRuntime } from '../../runner/runtime.js';
import { exitCodes, type CliIO } from '../command.js';
import type { FlagSpec, ParsedFlags } from '../options.js';
import { openCliRoot } from '../root-option.js';

export type ContainerAction = (runtime: Runtime, record: ContainerRecord, root: string) => Promise<void>;

export async function forEachContainer(command: string, parsed: ParsedFlags, io: CliIO, action: ContainerAction): Promise<number> {
  if (parsed.positionals.length === 0) throw new UsageError(`"${command}" requires at least 1 argument`);
  const layout = await openCliRoot(parsed, io);
  const runtime = await openRuntime(layout);
  let status: number = exitCodes.ok;
  for (const reference of parsed.positionals) {
    try {
      await action(runtime, await runtime.containers.find(reference), layout.root);
      io.stdout.write(`${reference}\n`);
    } catch (error) {
      if (!(error instanceof TsbuildError)) throw error;
      io.stderr.write(`Error response from daemon: ${error.message}\n`);
      status = exitCodes.failure;
    }
  }
  return status;
}

/** `-t/--timeout N` of stop and restart: whole seconds, negative waits forever in Docker (here: no wait cap of ours). */
export function timeoutFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`invalid argument "${value}" for "-t, --timeout" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
  return Number(value);
}

/** The flags stop and restart share, with docker's names. */
export const stopFlags: readonly FlagSpec[] = [
  { name: 'signal', alias: 's', type: 'string', value: 'SIGNAL', description: 'Signal to send to the container' },
  { name: 'timeout', alias: 't', type: 'string', value: 'N', description: 'Seconds to wait before killing the container' },
];

/** `-s` and `-t` as stop options. */
export function stopOptionsOf(parsed: ParsedFlags): { timeoutSeconds?: number; signal?: string } {
  const timeoutSeconds = timeoutFlag(parsed.flags.timeout as string | undefined);
  const signal = parsed.flags.signal as string | undefined;
  return { ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}), ...(signal !== undefined ? { signal } : {}) };
}
