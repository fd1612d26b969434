// `tsbuild build [OPTIONS] PATH`: docker build's command line. Also the default command, so that
// `tsbuild -t app .` works. `--dry-run` and `--check` stop after planning; nothing runs.
import { text as streamText } from 'node:stream/consumers';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDockerfile } from '../../../parser/stages.js';
import { DockerfileError, TsbuildError, UsageError } from '../../errors.js';
import { hostPlatform, requireHostPlatform } from '../../platform.js';
import { buildArgsFrom, buildFlags } from '../build-flags.js';
import { runBuild } from '../build-run.js';
import { type CliIO, type Command } from '../command.js';
import type { ParsedFlags } from '../options.js';

export interface DockerfileSource {
  /** How errors name it: the path as given, or `Dockerfile` from stdin. */
  readonly name: string;
  /** Absolute path, absent when read from stdin. */
  readonly path?: string;
  readonly text: string;
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'Build an image from a Dockerfile (the default command)',
  usage: '[OPTIONS] PATH | -',
  flags: buildFlags,
  async run(parsed: ParsedFlags, io: CliIO): Promise<number> {
    if (parsed.positionals.length !== 1) {
      throw new UsageError(`"build" requires exactly 1 argument: the context folder (or - for a tar on stdin), got ${parsed.positionals.length}`);
    }
    const platform = parsed.flags.platform ? requireHostPlatform(parsed.flags.platform as string) : hostPlatform();
    const buildArgs = buildArgsFrom(parsed.flags['build-arg'] as string[], io.env);
    const contextArg = parsed.positionals[0]!;
    if (parsed.flags['dry-run'] || parsed.flags.check) {
      const dockerfile = await readDockerfile(parsed, io, contextArg);
      const parsedFile = parseDockerfile(dockerfile.text, { file: dockerfile.name });
      const json = parsed.flags.format === 'json';
      const target = parsed.flags.target as string | undefined;
      const options = { target, buildArgs, platform, file: dockerfile.name, json };
      // Loaded here so that a real build does not load the checks and the plan printer.
      const { runCheck } = await import('../build-check.js');
      const { printPlan } = await import('../build-dry-run.js');
      return withDockerfileText(dockerfile, () => (parsed.flags.check ? runCheck(parsedFile, options, io) : printPlan(parsedFile, options, io)));
    }
    return runBuild(parsed, io, { contextArg, buildArgs, platform });
  },
};

/** Plan and dispatch errors know their range but not the text: attach it so the excerpt can be shown. */
function withDockerfileText<T>(dockerfile: DockerfileSource, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DockerfileError && error.sourceText === undefined) error.inFile(dockerfile.name, dockerfile.text);
    throw error;
  }
}

/** The Dockerfile text: `-f -` reads stdin; `-f PATH` is relative to the working directory. */
export async function readDockerfile(parsed: ParsedFlags, io: CliIO, contextArg: string): Promise<DockerfileSource> {
  const file = parsed.flags.file as string | undefined;
  if (file === '-') {
    if (contextArg === '-') throw new UsageError('the context and the Dockerfile cannot both come from stdin');
    return { name: 'Dockerfile', text: await streamText(io.stdin) };
  }
  if (file === undefined && contextArg === '-') {
    throw new UsageError('with a context from stdin, give the Dockerfile with -f (it is read from the tar when building)');
  }
  const path = resolve(io.cwd, file ?? `${contextArg}/Dockerfile`);
  try {
    return { name: file ?? 'Dockerfile', path, text: await readFile(path, 'utf8') };
  } catch (error) {
    throw new TsbuildError('E_CONTEXT', `failed to read dockerfile: open ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`, { cause: error });
  }
}
