// The table of subcommands, in the order `tsbuild --help` lists them. Each command's module is
// loaded only when that command runs: a build never pays for loading the registry client, the
// container runner or the exporters (about 1 ms of start-up per module).
import type { Command } from '../command.js';

export interface CommandEntry {
  readonly name: string;
  /** The same line as the loaded command's `summary` (a spec checks they agree). */
  readonly summary: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'build',
    summary: 'Build an image from a Dockerfile (the default command)',
    load: async () => (await import('./build.js')).buildCommand,
  },
  {
    name: 'completion',
    summary: 'Print a shell completion script (bash, zsh or fish)',
    load: async () => (await import('./completion.js')).completionCommand,
  },
  {
    name: 'context',
    summary: 'Show the files of a build context after .dockerignore, or why one path is in or out',
    load: async () => (await import('./context.js')).contextCommand,
  },
  {
    name: 'du',
    summary: 'Show the disk space tsbuild uses, by kind',
    load: async () => (await import('./du.js')).duCommand,
  },
  {
    name: 'exec',
    summary: 'Execute a command in a running container',
    load: async () => (await import('./exec.js')).execCommand,
  },
  {
    name: 'export',
    summary: "Export a container's filesystem as a tar archive",
    load: async () => (await import('./export.js')).exportCommand,
  },
  {
    name: 'history',
    summary: 'Show the history of an image',
    load: async () => (await import('./history.js')).historyCommand,
  },
  {
    name: 'images',
    summary: 'List images',
    load: async () => (await import('./images.js')).imagesCommand,
  },
  {
    name: 'import',
    summary: 'Import the contents from a tarball to create a filesystem image',
    load: async () => (await import('./import.js')).importCommand,
  },
  {
    name: 'inspect',
    summary: 'Return low-level information on containers and images',
    load: async () => (await import('./inspect.js')).inspectCommand,
  },
  {
    name: 'kill',
    summary: 'Kill one or more running containers',
    load: async () => (await import('./kill.js')).killCommand,
  },
  {
    name: 'load',
    summary: 'Load images from a tar archive or STDIN',
    load: async () => (await import('./load.js')).loadCommand,
  },
  {
    name: 'login',
    summary: 'Log in to a registry',
    load: async () => (await import('./login.js')).loginCommand,
  },
  {
    name: 'logout',
    summary: 'Log out from a registry',
    load: async () => (await import('./logout.js')).logoutCommand,
  },
  {
    name: 'logs',
    summary: 'Fetch the logs of a container',
    load: async () => (await import('./logs.js')).logsCommand,
  },
  {
    name: 'port',
    summary: 'List port mappings or a specific mapping for the container',
    load: async () => (await import('./port.js')).portCommand,
  },
  {
    name: 'prune',
    summary: 'Remove build cache that no image needs (least recently used first)',
    load: async () => (await import('./prune.js')).pruneCommand,
  },
  {
    name: 'ps',
    summary: 'List containers',
    load: async () => (await import('./ps.js')).psCommand,
  },
  {
    name: 'pull',
    summary: 'Download an image from a registry',
    load: async () => (await import('./pull.js')).pullCommand,
  },
  {
    name: 'push',
    summary: 'Upload an image to a registry',
    load: async () => (await import('./push.js')).pushCommand,
  },
  {
    name: 'restart',
    summary: 'Restart one or more containers',
    load: async () => (await import('./restart.js')).restartCommand,
  },
  {
    name: 'rm',
    summary: 'Remove one or more containers',
    load: async () => (await import('./rm.js')).rmCommand,
  },
  {
    name: 'rmi',
    summary: 'Remove one or more images',
    load: async () => (await import('./rmi.js')).rmiCommand,
  },
  {
    name: 'run',
    summary: 'Create and run a new container from an image',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    name: 'save',
    summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
    load: async () => (await import('./save.js')).saveCommand,
  },
  {
    name: 'start',
    summary: 'Start one or more stopped containers',
    load: async () => (await import('./start.js')).startCommand,
  },
  {
    name: 'stop',
    summary: 'Stop one or more running containers',
    load: async () => (await import('./stop.js')).stopCommand,
  },
  {
    name: 'tag',
    summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    load: async () => (await import('./tag.js')).tagCommand,
  },
  {
    name: 'verify',
    summary: 'Re-hash all stored blobs and cache records; drop what is damaged',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
];
