// Where a command keeps its state: `--root DIR`, else $TSBUILD_ROOT, else the XDG data folder
// (cache/root.ts decides; this only feeds it what the CLI knows).
import { homedir } from 'node:os';
import { openRoot, resolveRoot, rootLayout, type RootLayout } from '../../cache/root.js';
import type { CliIO } from './command.js';
import type { ParsedFlags } from './options.js';

/** The root layout for this invocation, created and cleaned of dead writers' temp files. */
export async function openCliRoot(parsed: ParsedFlags, io: CliIO): Promise<RootLayout> {
  const root = resolveRoot({
    root: parsed.flags.root as string | undefined,
    env: io.env,
    uid: process.getuid?.() ?? 0,
    home: homedir(),
    cwd: io.cwd,
  });
  const layout = rootLayout(root);
  await openRoot(layout);
  return layout;
}
