// The one hook through which instructions get their `$VAR`s expanded. The plan builds it over the
// right environment (a stage's ENV and ARGs, or the global ARGs for FROM), records variables that
// did not match for its warnings, and passes it in: instruction files never build environments.
import { expandWord, expandWords, type VariableEnv } from '../shell-words.js';

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

export interface ShellExpanderOptions {
  /** The Dockerfile's escape character (heredoc bodies always use `\`). */
  readonly escapeToken: '\\' | '`';
  /** Called with the unset variables each expansion looked up (BuildKit's UndefinedVar warnings). */
  readonly onUnmatched?: (names: ReadonlySet<string>) => void;
}

/** The Expander BuildKit's dispatcher uses, over `env`, built on parser/shell-words. */
export function shellExpander(env: VariableEnv, options: ShellExpanderOptions): Expander {
  const report = (unmatched: ReadonlySet<string>): void => {
    if (unmatched.size > 0) options.onUnmatched?.(unmatched);
  };
  return {
    word(value, wordOptions) {
      const settings = wordOptions?.heredocBody ? { escapeToken: '\\' as const, skipProcessQuotes: true } : { escapeToken: options.escapeToken };
      const expanded = expandWord(value, env, settings);
      report(expanded.unmatched);
      return expanded.value;
    },
    words(value) {
      const expanded = expandWords(value, env, { escapeToken: options.escapeToken });
      report(expanded.unmatched);
      return expanded.words;
    },
  };
}
