// The table of subcommands, in the order `tsbuild --help` lists them.
import type { Command } from '../command.js';
import { buildCommand } from './build.js';
import { completionCommand } from './completion.js';
import { contextCommand } from './context.js';
import { duCommand } from './du.js';
import { execCommand } from './exec.js';
import { exportCommand } from './export.js';
import { historyCommand } from './history.js';
import { imagesCommand } from './images.js';
import { importCommand } from './import.js';
import { inspectCommand } from './inspect.js';
import { killCommand } from './kill.js';
import { loadCommand } from './load.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { logsCommand } from './logs.js';
import { portCommand } from './port.js';
import { pruneCommand } from './prune.js';
import { psCommand } from './ps.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { restartCommand } from './restart.js';
import { rmCommand } from './rm.js';
import { rmiCommand } from './rmi.js';
import { runCommand } from './run.js';
import { saveCommand } from './save.js';
import { startCommand } from './start.js';
import { stopCommand } from './stop.js';
import { tagCommand } from './tag.js';
import { verifyCommand } from './verify.js';

export const commands: readonly Command[] = [
  buildCommand,
  completionCommand,
  contextCommand,
  duCommand,
  execCommand,
  exportCommand,
  historyCommand,
  imagesCommand,
  importCommand,
  inspectCommand,
  killCommand,
  loadCommand,
  loginCommand,
  logoutCommand,
  logsCommand,
  portCommand,
  pruneCommand,
  psCommand,
  pullCommand,
  pushCommand,
  restartCommand,
  rmCommand,
  rmiCommand,
  runCommand,
  saveCommand,
  startCommand,
  stopCommand,
  tagCommand,
  verifyCommand,
];
