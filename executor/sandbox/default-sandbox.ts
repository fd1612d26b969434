// The sandbox a build uses when the caller gives none: the namespace sandbox, loaded on the first
// RUN. A build whose steps all come from the cache never loads the sandbox's modules (a few dozen
// of them), which is a noticeable part of a no-op rebuild's start-up.
import type { NamespaceSandboxOptions } from './namespace-sandbox.js';
import type { RunResult, RunSpec, Sandbox, Stdio } from './types.js';

export class DefaultSandbox implements Sandbox {
  private inner: Promise<Sandbox> | undefined;

  constructor(private readonly options: NamespaceSandboxOptions = {}) {}

  async run(spec: RunSpec, io: Stdio, signal?: AbortSignal): Promise<RunResult> {
    this.inner ??= import('./namespace-sandbox.js').then((loaded) => new loaded.NamespaceSandbox(this.options));
    return (await this.inner).run(spec, io, signal);
  }
}
