// An expanded instruction written back as one Dockerfile line, for `build --dry-run`: what the
// builder will do with variables already substituted. Values with spaces, quotes or nothing in
// them are written as JSON strings so the line stays unambiguous.
import type { Instruction, InstructionKind, InstructionOf } from '../../parser/instructions/index.js';
import type { CommandLine } from '../../parser/instructions/command-line.js';
import { formatGoDuration } from '../../parser/durations.js';
import type { RunMount } from '../../parser/instructions/run-mount.js';

type Renderers = { readonly [K in InstructionKind]: (ins: InstructionOf<K>) => string };

/** `value` as is when it is a plain word, else as a JSON string. */
export function quoteWord(value: string): string {
  return value !== '' && /^[^\s"'\\$`]+$/.test(value) ? value : JSON.stringify(value);
}

function flag(name: string, value: string | boolean | undefined): string[] {
  if (value === undefined || value === false) return [];
  return [value === true ? `--${name}` : `--${name}=${quoteWord(value)}`];
}

function command(line: CommandLine): string {
  return line.form === 'exec' ? JSON.stringify(line.args) : line.text;
}

function mount(spec: RunMount): string {
  const fields: string[] = [`type=${spec.type}`];
  for (const key of ['from', 'source', 'target', 'id', 'sharing', 'env'] as const) {
    if (spec[key] !== undefined) fields.push(`${key}=${spec[key]}`);
  }
  if (spec.readOnly && spec.type !== 'secret' && spec.type !== 'ssh') fields.push('ro');
  if (spec.required) fields.push('required');
  if (spec.mode !== undefined) fields.push(`mode=0${spec.mode.toString(8)}`);
  if (spec.uid !== undefined) fields.push(`uid=${spec.uid}`);
  if (spec.gid !== undefined) fields.push(`gid=${spec.gid}`);
  if (spec.sizeLimit !== undefined) fields.push(`size=${spec.sizeLimit}`);
  return `--mount=${fields.join(',')}`;
}

function words(...parts: (string | readonly string[])[]): string {
  return parts.flat().filter((part) => part !== '').join(' ');
}

function sourcesAndDest(ins: InstructionOf<'COPY'> | InstructionOf<'ADD'>): string[] {
  return [...ins.sources.map(quoteWord), ...ins.heredocSources.map((source) => `<<${source.path}`), quoteWord(ins.dest)];
}

const RENDERERS: Renderers = {
  FROM: (ins) => words('FROM', flag('platform', ins.platform), quoteWord(ins.image), ins.stageName ? `AS ${ins.stageName}` : ''),
  RUN: (ins) => words('RUN', ins.mounts.map(mount), ins.network !== 'default' ? `--network=${ins.network}` : '',
    ins.security !== 'sandbox' ? `--security=${ins.security}` : '', command(ins.command)),
  CMD: (ins) => `CMD ${command(ins.command)}`,
  ENTRYPOINT: (ins) => `ENTRYPOINT ${command(ins.command)}`,
  LABEL: (ins) => words('LABEL', ins.pairs.map((pair) => `${quoteWord(pair.key)}=${quoteWord(pair.value)}`)),
  MAINTAINER: (ins) => `MAINTAINER ${ins.maintainer}`,
  EXPOSE: (ins) => words('EXPOSE', ins.ports),
  ENV: (ins) => words('ENV', ins.pairs.map((pair) => `${pair.key}=${quoteWord(pair.value)}`)),
  ADD: (ins) => words('ADD', flag('chown', ins.chown), flag('chmod', ins.chmod), flag('link', ins.link), flag('checksum', ins.checksum),
    flag('keep-git-dir', ins.keepGitDir), flag('unpack', ins.unpack), ins.exclude.map((e) => `--exclude=${quoteWord(e)}`), sourcesAndDest(ins)),
  COPY: (ins) => words('COPY', flag('from', ins.from), flag('chown', ins.chown), flag('chmod', ins.chmod), flag('link', ins.link),
    flag('parents', ins.parents), ins.exclude.map((e) => `--exclude=${quoteWord(e)}`), sourcesAndDest(ins)),
  VOLUME: (ins) => `VOLUME ${JSON.stringify(ins.volumes)}`,
  USER: (ins) => `USER ${quoteWord(ins.user)}`,
  WORKDIR: (ins) => `WORKDIR ${quoteWord(ins.path)}`,
  ARG: (ins) => words('ARG', ins.args.map((arg) => (arg.value === undefined ? arg.key : `${arg.key}=${quoteWord(arg.value)}`))),
  ONBUILD: (ins) => `ONBUILD ${ins.expression}`,
  STOPSIGNAL: (ins) => `STOPSIGNAL ${ins.signal}`,
  HEALTHCHECK: (ins) => (ins.test === 'NONE' ? 'HEALTHCHECK NONE' : `HEALTHCHECK ${healthcheckFlags(ins)}${healthcheckCommand(ins.test)}`),
  SHELL: (ins) => `SHELL ${JSON.stringify(ins.shell)}`,
};

function healthcheckFlags(ins: InstructionOf<'HEALTHCHECK'>): string {
  const flags = [
    ins.interval ? `--interval=${formatGoDuration(ins.interval)}` : '',
    ins.timeout ? `--timeout=${formatGoDuration(ins.timeout)}` : '',
    ins.startPeriod ? `--start-period=${formatGoDuration(ins.startPeriod)}` : '',
    ins.startInterval ? `--start-interval=${formatGoDuration(ins.startInterval)}` : '',
    ins.retries ? `--retries=${ins.retries}` : '',
  ].filter((text) => text !== '');
  return flags.length > 0 ? `${flags.join(' ')} ` : '';
}

/** The stored test (`["CMD-SHELL", text]` or `["CMD", ...args]`) written back as its CMD form. */
function healthcheckCommand(test: readonly string[]): string {
  return test[0] === 'CMD-SHELL' ? `CMD ${test[1] ?? ''}` : `CMD ${JSON.stringify(test.slice(1))}`;
}

/** One line of Dockerfile text for an (expanded) instruction; heredoc bodies are not repeated. */
export function renderInstruction(ins: Instruction): string {
  return (RENDERERS[ins.kind] as (value: Instruction) => string)(ins);
}
