// What the scheduler tells its caller while a build runs, for progress output: each step starting
// and finishing (cached or not), and the lines the step's processes print.
import { Writable } from 'node:stream';

export interface StepEventBase {
  /** 0-based stage index in the Dockerfile. */
  readonly stage: number;
  /** The stage's name after `AS`, when it has one. */
  readonly stageName?: string;
  /** 0-based position of the step in its stage (ONBUILD triggers first). */
  readonly step: number;
  /** How many steps the stage has. */
  readonly steps: number;
  /** The instruction as written, e.g. `RUN echo hi > /file`. */
  readonly text: string;
}

export type BuildEvent =
  | (StepEventBase & {
      readonly type: 'step';
      readonly phase: 'started' | 'finished';
      /** The step's layer came from the cache (always false when it has nothing to execute). */
      readonly cached: boolean;
      /** The step only changes the image config (ENV, LABEL…): nothing runs. */
      readonly metadataOnly: boolean;
      /** On `started` of a miss, when asked for: what changed since the last build of the step. */
      readonly missReason?: readonly string[];
      /** On `finished`: how long the step took. */
      readonly durationMs?: number;
      /** On `finished` of a failed step: the error's message. */
      readonly error?: string;
    })
  | (StepEventBase & { readonly type: 'log'; readonly stream: 'stdout' | 'stderr'; readonly line: string });

export type BuildEventListener = (event: BuildEvent) => void;

/** A Writable that hands each complete line (without its newline) to `onLine`; the rest at end. */
export class LineSplitter extends Writable {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {
    super({ decodeStrings: true });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flushPartial();
    callback();
  }

  /** Emits a last line that had no newline (called when the step ends). */
  flushPartial(): void {
    if (this.partial !== '') this.onLine(this.partial);
    this.partial = '';
  }
}
