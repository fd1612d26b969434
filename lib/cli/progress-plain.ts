// `--progress plain`: BuildKit's plain output. Each step gets a number when it starts; its log lines
// carry that number and the seconds since it started, so parallel stages interleave readably:
//   #3 [build 2/4] RUN make
//   #3 0.412 cc -o app main.c
//   #3 DONE 1.3s
import type { Writable } from 'node:stream';
import type { BuildEvent, BuildEventListener } from '../build.js';

interface StepRecord {
  readonly number: number;
  readonly startedMs: number;
}

/** A listener that prints build events to `out` as BuildKit's plain progress does. */
export function progressPrinter(out: Writable): BuildEventListener {
  const running = new Map<string, StepRecord>();
  let next = 1;
  return (event: BuildEvent) => {
    // BuildKit shows no vertex for config-only instructions (ENV, CMD...): nothing runs for them.
    if (event.type === 'step' && event.metadataOnly && event.error === undefined) return;
    const id = `${event.stage}/${event.step}`;
    if (event.type === 'log') {
      const step = running.get(id);
      const seconds = step ? ((Date.now() - step.startedMs) / 1000).toFixed(3) : '0.000';
      out.write(`#${step?.number ?? '?'} ${seconds} ${event.line}\n`);
      return;
    }
    if (event.phase === 'started') {
      const step = { number: next++, startedMs: Date.now() };
      running.set(id, step);
      out.write(`#${step.number} [${stepLabel(event)}] ${event.text}\n`);
      for (const reason of event.missReason ?? []) out.write(`#${step.number} MISS ${reason}\n`);
      return;
    }
    const step = running.get(id);
    running.delete(id);
    const prefix = `#${step?.number ?? '?'}`;
    if (event.error !== undefined) out.write(`${prefix} ERROR: ${event.error}\n\n`);
    else if (event.cached) out.write(`${prefix} CACHED\n\n`);
    else out.write(`${prefix} DONE ${((event.durationMs ?? 0) / 1000).toFixed(1)}s\n\n`);
  };
}

/** `build 2/4`: the stage (by name, else `stage-N`) and the step counting FROM as step 1, as BuildKit does. */
function stepLabel(event: Extract<BuildEvent, { type: 'step' }>): string {
  const stage = event.stageName ?? `stage-${event.stage}`;
  return `${stage} ${event.step + 2}/${event.steps + 1}`;
}
