// The build arguments of a plan: the automatic platform args, the global ("meta") ARGs with the
// user's --build-arg values applied, and which of those values nothing consumed.
import { DockerfileError } from '../lib/errors.js';
import type { ArgInstruction } from './instructions/arg.js';
import { expandArgDefault } from './instructions/arg.js';
import { shellExpander } from './instructions/expander.js';
import { locatedErrors } from './instructions/instruction-base.js';
import type { Stage } from './stages.js';
import { envFromEntries } from './shell-words.js';

/** An OS/architecture pair, the same shape as the image config's platform. */
export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** `os/arch` or `os/arch/variant`, as containerd's platforms.Format writes it. */
export function formatPlatform(platform: PlatformSpec): string {
  const { os, architecture, variant } = platform;
  return variant ? `${os}/${architecture}/${variant}` : `${os}/${architecture}`;
}

/**
 * The args every build defines before the first ARG, in BuildKit's order: BUILD* describe the
 * machine that builds, TARGET* the platform built for. tsbuild builds for the host, so both are
 * `platform`. The OSVERSION pair is empty on Linux but defined (a bare `ARG TARGETOSVERSION` gets '').
 */
export function platformArgs(platform: PlatformSpec): Map<string, string> {
  const { os, architecture, variant = '' } = platform;
  const formatted = formatPlatform(platform);
  return new Map([
    ['BUILDPLATFORM', formatted],
    ['BUILDOS', os],
    ['BUILDOSVERSION', ''],
    ['BUILDARCH', architecture],
    ['BUILDVARIANT', variant],
    ['TARGETPLATFORM', formatted],
    ['TARGETOS', os],
    ['TARGETOSVERSION', ''],
    ['TARGETARCH', architecture],
    ['TARGETVARIANT', variant],
  ]);
}

/** The names BuildKit defines by itself; a --build-arg may override them. */
export const AUTOMATIC_ARG_NAMES: ReadonlySet<string> = new Set([
  ...platformArgs({ os: '', architecture: '' }).keys(),
  'TARGETSTAGE',
]);

/**
 * The args FROM lines see before any ARG: the platform args and TARGETSTAGE (the --target as
 * given, else the last stage's name, else `default`), each overridable by a build arg.
 */
export function automaticArgs(platform: PlatformSpec, targetStage: string, buildArgs: ReadonlyMap<string, string>): Map<string, string> {
  const args = platformArgs(platform);
  args.set('TARGETSTAGE', targetStage === '' ? 'default' : targetStage);
  for (const name of args.keys()) {
    const override = buildArgs.get(name);
    if (override !== undefined) args.set(name, override);
  }
  return args;
}

/**
 * Applies the global ARGs in order: a build arg's value is taken raw; otherwise a default is
 * expanded against the args so far (an error in a default that a build arg overrides never fires).
 * An ARG with neither stays undefined. Errors point at the ARG.
 */
export function applyMetaArgs(
  initial: ReadonlyMap<string, string>,
  metaArgs: readonly ArgInstruction[],
  buildArgs: ReadonlyMap<string, string>,
  escapeToken: '\\' | '`',
): Map<string, string> {
  const values = new Map(initial);
  for (const instruction of metaArgs) {
    for (const definition of instruction.args) {
      const override = buildArgs.get(definition.key);
      if (override !== undefined) {
        values.set(definition.key, override);
        continue;
      }
      if (definition.value === undefined) continue;
      const expander = shellExpander(envFromEntries(values), { escapeToken });
      const expanded = locatedErrors(instruction, () => expandArgDefault(definition, expander), 'E_EXPANSION');
      values.set(definition.key, expanded.value!);
    }
  }
  return values;
}

// Build args BuildKit always accepts without an ARG (their values go to RUN as proxy settings).
const PROXY_ARGS: ReadonlySet<string> = new Set(['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy']);

function isAlwaysConsumed(name: string): boolean {
  return PROXY_ARGS.has(name.toLowerCase()) || AUTOMATIC_ARG_NAMES.has(name) || name === 'SOURCE_DATE_EPOCH' || name.startsWith('BUILDKIT_');
}

/**
 * The build args no ARG asked for: not declared globally or in any of `stages` (the ones built),
 * and not a proxy, platform or frontend setting. Sorted, as the reference builder lists them.
 */
export function unusedBuildArgs(
  buildArgs: ReadonlyMap<string, string>,
  metaArgs: readonly ArgInstruction[],
  stages: readonly Stage[],
): string[] {
  const declared = new Set<string>();
  const declare = (instruction: ArgInstruction): void => instruction.args.forEach((definition) => declared.add(definition.key));
  metaArgs.forEach(declare);
  for (const stage of stages) {
    for (const instruction of stage.instructions) if (instruction.kind === 'ARG') declare(instruction);
  }
  return [...buildArgs.keys()].filter((name) => !declared.has(name) && !isAlwaysConsumed(name)).sort();
}

/** Re-throws with the file name filled in, so every plan error says where it is. */
export function inFile<T>(file: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DockerfileError && file !== undefined) error.inFile(file);
    throw error;
  }
}
