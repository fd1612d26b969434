// `--progress json`: one JSON object per line on stderr, for CI systems and other programs. The
// objects are the library's BuildEvents (the same `onEvent` receives) with a `time`, then one
// `result` object when the build succeeds. docs/cli.md documents every field; keep them in step.
import type { Writable } from 'node:stream';
import type { BuildEvent, BuildEventListener, BuildResult } from '../build.js';

/** Version of the line format; bumped when a field changes meaning or disappears. */
export const PROGRESS_JSON_VERSION = 1;

/** A listener that writes each event as one JSON line. */
export function progressJsonWriter(out: Writable, now: () => Date = () => new Date()): BuildEventListener {
  return (event: BuildEvent) => {
    out.write(`${JSON.stringify({ v: PROGRESS_JSON_VERSION, time: now().toISOString(), ...event })}\n`);
  };
}

/** The closing line of a successful build: what `build()` resolved to. */
export function writeJsonResult(out: Writable, result: BuildResult, now: () => Date = () => new Date()): void {
  const line = {
    v: PROGRESS_JSON_VERSION,
    time: now().toISOString(),
    type: 'result',
    imageId: result.imageId,
    digest: result.digest,
    tags: result.tags,
    cache: result.cache,
    warnings: result.warnings.map((warning) => ({ rule: warning.rule, level: warning.level, message: warning.message })),
  };
  out.write(`${JSON.stringify(line)}\n`);
}
