// The one hook through which instructions get their `$VAR`s expanded. The plan builds it over the
// right environment (a stage's ENV and ARGs, or the global ARGs for FROM), records variables that
// did not match for its warnings, and passes it in: instruction files never build environments.

export interface WordOptions {
  /**
   * An ADD/COPY heredoc body (`COPY <<EOF`): BuildKit expands it with quotes kept as ordinary text
   * and `\` as the escape character whatever the Dockerfile's `# escape=` says.
   */
  readonly heredocBody?: boolean;
}

export interface Expander {
  /** One word in, one word out: quotes removed, no splitting at spaces. */
  word(value: string, options?: WordOptions): string;
  /** Expanded, then split into fields at unquoted spaces (EXPOSE). */
  words(value: string): string[];
}

/** The named optional string fields of `value`, expanded; absent ones stay absent (no `undefined` keys). */
export function expandPresentFields<T extends object, K extends keyof T & string>(
  value: T,
  keys: readonly K[],
  expander: Expander,
): Partial<Pick<T, K>> {
  const expanded: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const field = value[key];
    if (typeof field === 'string') expanded[key] = expander.word(field);
  }
  return expanded as Partial<Pick<T, K>>;
}
