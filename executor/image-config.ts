// The image configuration a build produces, in Docker's field names (the `config` object of an OCI
// image config plus Docker's extensions). The executor only ever produces it; lib/image wraps it
// into the OCI config, manifest and history it writes.

/** Docker's HEALTHCHECK settings; durations in nanoseconds, as Docker stores them. */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", ...args]` or `["CMD-SHELL", command]`. */
  readonly Test: readonly string[];
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly StartPeriod?: number;
  readonly StartInterval?: number;
  readonly Retries?: number;
}

export interface ContainerConfig {
  readonly User?: string;
  readonly ExposedPorts?: Readonly<Record<string, Record<string, never>>>;
  readonly Env?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly Healthcheck?: HealthConfig;
  readonly ArgsEscaped?: boolean;
  readonly Volumes?: Readonly<Record<string, Record<string, never>>>;
  readonly WorkingDir?: string;
  readonly Entrypoint?: readonly string[];
  readonly OnBuild?: readonly string[];
  readonly Labels?: Readonly<Record<string, string>>;
  readonly StopSignal?: string;
  readonly Shell?: readonly string[];
}

/** One entry of the image's history, as BuildKit writes it. */
export interface HistoryEntry {
  /** RFC 3339 time; absent until the exporter stamps it. */
  readonly created?: string;
  readonly created_by: string;
  readonly comment?: string;
  /** True when the step produced no layer. */
  readonly empty_layer?: boolean;
}

/** The platform steps run for; always the host's (other platforms are rejected up front). */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}
