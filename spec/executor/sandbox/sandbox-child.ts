// A separate Node process that runs one sandbox job and prints the outcome as JSON. Specs use it to
// run the sandbox as another user (rootless) or from a process with inherited file descriptors.
// Usage: node sandbox-child.js '{"spec": RunSpec, "options"?: NamespaceSandboxOptions, "abortAfterMs"?: number}'
import { NamespaceSandbox, type NamespaceSandboxOptions } from '../../../executor/sandbox/namespace-sandbox.js';
import type { RunSpec } from '../../../executor/sandbox/types.js';
import { runCaptured } from './sandbox-harness.js';

interface ChildInput {
  readonly spec: RunSpec;
  readonly options?: NamespaceSandboxOptions;
  readonly abortAfterMs?: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
  const controller = new AbortController();
  if (input.abortAfterMs !== undefined) setTimeout(() => controller.abort(), input.abortAfterMs);
  try {
    const result = await runCaptured(new NamespaceSandbox(input.options), input.spec, {}, controller.signal);
    process.stdout.write(JSON.stringify(result));
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    process.stdout.write(JSON.stringify({ error: { code, message } }));
  }
}

await main();
