// The table of subcommands, in the order `tsbuild --help` lists them.
import type { Command } from '../command.js';
import { buildCommand } from './build.js';
import { contextCommand } from './context.js';
import { duCommand } from './du.js';
import { pruneCommand } from './prune.js';
import { verifyCommand } from './verify.js';

export const commands: readonly Command[] = [
  buildCommand,
  contextCommand,
  duCommand,
  pruneCommand,
  verifyCommand,
];
