// RUN [--mount=...] [--network=...] [--security=...] [--device=...] command: the command is never
// expanded by the builder (the shell does that); only the mount options are, when the RUN is
// expanded. Heredocs become files the command reads, their `<<-` tabs still in place.
import { parseFlags, stringFlag, stringsFlag } from '../flags.js';
import { goQuote } from '../syntax-dump.js';
import type { SyntaxNode } from '../syntax-tree.js';
import { nodeCommandLine, type CommandLine } from './command-line.js';
import type { Expander } from './expander.js';
import { instructionBase, instructionError, locatedErrors, type InstructionBase } from './instruction-base.js';
import { parseRunDevice, type RunDevice } from './run-device.js';
import { checkRunMountSpec, parseRunMount, type RunMount } from './run-mount.js';

export type NetworkMode = 'default' | 'none' | 'host';
export type SecurityMode = 'sandbox' | 'insecure';

/** A heredoc of a RUN, written to a file (or fed to a file descriptor) when the command runs. */
export interface HeredocFile {
  readonly name: string;
  /** The body as written; with `chomp`, leading tabs are stripped only when it is used. */
  readonly data: string;
  readonly chomp: boolean;
}

export interface RunInstruction extends InstructionBase {
  readonly kind: 'RUN';
  readonly command: CommandLine;
  readonly files: readonly HeredocFile[];
  /** The `--mount` values as written. */
  readonly mountSpecs: readonly string[];
  /** The `from=` of each mount that has one: known before expansion, for the stage graph. */
  readonly mountSources: readonly string[];
  /**
   * The typed mounts: empty until expandRun has run, because BuildKit reads mount options only
   * after expanding them (a bad option in a stage that is never built is no error).
   */
  readonly mounts: readonly RunMount[];
  readonly network: NetworkMode;
  readonly security: SecurityMode;
  readonly devices: readonly RunDevice[];
  /** The flags that were given, in order (BuildKit's FlagsUsed). */
  readonly flagsUsed: readonly string[];
}

// Declared in BuildKit's order, which decides the "did you mean" suggestion on a tie.
const RUN_FLAGS = {
  device: stringsFlag(),
  mount: stringsFlag(),
  network: stringFlag('default'),
  security: stringFlag('sandbox'),
};

function readNetwork(node: SyntaxNode, value: string): NetworkMode {
  if (value === 'default' || value === 'none' || value === 'host') return value;
  throw instructionError(node, `invalid network mode ${goQuote(value)}`);
}

function readSecurity(node: SyntaxNode, value: string): SecurityMode {
  if (value === 'sandbox' || value === 'insecure') return value;
  throw instructionError(node, `security ${goQuote(value)} is not valid`);
}

export function parseRun(node: SyntaxNode): RunInstruction {
  const { values, used } = parseFlags(node.flags, RUN_FLAGS, node.range);
  const devices = values.device.map((spec) => locatedErrors(node, () => parseRunDevice(spec)));
  const checked = values.mount.map((spec) => locatedErrors(node, () => checkRunMountSpec(spec)));
  return {
    kind: 'RUN',
    ...instructionBase(node),
    command: nodeCommandLine(node),
    files: node.heredocs.map((heredoc) => ({ name: heredoc.name, data: heredoc.content, chomp: heredoc.chomp })),
    mountSpecs: values.mount,
    mountSources: checked.flatMap((mount) => (mount.from ? [mount.from] : [])),
    mounts: [],
    network: readNetwork(node, values.network),
    security: readSecurity(node, values.security),
    devices,
    flagsUsed: used,
  };
}

/** Reads the mounts with every option value expanded; the command itself is left alone. */
export function expandRun(instruction: RunInstruction, expander: Expander): RunInstruction {
  const mounts = instruction.mountSpecs.map((spec) => locatedErrors(instruction, () => parseRunMount(spec, (value) => expander.word(value))));
  return { ...instruction, mounts };
}
