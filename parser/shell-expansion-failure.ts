// Failures raised inside shell word expansion, before they are wrapped into the public
// WordExpansionError (parser/shell-words.ts), which adds BuildKit's `failed to process "..."` prefix.
// They are separate from that class because the expander rewrites some of them on the way out
// (an error that ends at the end of the input becomes "missing '}'", as in BuildKit).

/** A failure whose message is BuildKit's inner error text, e.g. `X: msg` or `syntax error: bad substitution`. */
export class ExpansionFailure extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = new.target.name;
  }
}

/**
 * One of our robustness limits was hit (nesting depth, output length, pattern work). BuildKit has no
 * such limits; these are never rewritten into a syntax message, so the user sees which limit it was.
 */
export class ExpansionLimitExceeded extends ExpansionFailure {}

/** The failure for text that grew past the output limit (see MAX_EXPANDED_LENGTH). */
export function expandedTooLong(limit: number): ExpansionLimitExceeded {
  return new ExpansionLimitExceeded(`expanded text is longer than ${limit} characters`);
}
