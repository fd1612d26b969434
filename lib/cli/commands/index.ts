// The table of subcommands, in the order `tsbuild --help` lists them.
import type { Command } from '../command.js';

export const commands: readonly Command[] = [];
