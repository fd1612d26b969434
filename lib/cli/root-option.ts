// Where a command keeps its state: `--root DIR`, else $TSBUILD_ROOT, else the XDG data folder
// (cache/root.ts decides; this only feeds it what the CLI knows).
import { homedir } from 'node:os';
import { openRoot, resolveRoot, rootLayout, type RootLayout } from '../../cache/root.js';
import type { CliIO } from './command.js';
import type { ParsedFlags } from './options.js';

/** The root layout for this invocation, created and cleaned of dead writers' temp files. */
export async function openCliRoot(parsed: ParsedFlags, io: CliIO): Promise<RootLayout> {
  const layout = cliRootLayout(parsed, io);
  await openRoot(layout);
  return layout;
}

/** Where the root is, without touching it (for callers that open it through the library). */
export function cliRootLayout(parsed: ParsedFlags, io: CliIO): RootLayout {
  const root = resolveRoot({
    root: parsed.flags.root as string | undefined,
    env: io.env,
    uid: process.getuid?.() ?? 0,
    home: homedir(),
    cwd: io.cwd,
  });
  return rootLayout(root);
}
