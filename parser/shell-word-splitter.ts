// Splits the text of an expanded word into shell words the way BuildKit's lexer does while it
// expands: characters that came from unquoted text or from a variable's value split on Unicode
// whitespace; quoted text and escaped characters never split.
import { isUnicodeSpace } from './unicode-space.js';

export class WordSplitter {
  private readonly words: string[] = [];
  /** The word being built. Only words with characters count: `''` alone makes no word. */
  private pending = '';

  /** Text whose whitespace separates words: unquoted characters and variable values. */
  addSplittable(text: string): void {
    let index = 0;
    while (index < text.length) {
      if (isUnicodeSpace(text.charCodeAt(index))) {
        this.endWordAtSpace();
        index++;
        continue;
      }
      let end = index + 1;
      while (end < text.length && !isUnicodeSpace(text.charCodeAt(end))) end++;
      this.addLiteral(text.slice(index, end));
      index = end;
    }
  }

  /** Text kept whole, spaces included: quoted strings and escaped characters. */
  addLiteral(text: string): void {
    this.pending += text;
  }

  /**
   * BuildKit shares one word buffer between the whole word and each `${name<op>...}` inside it,
   * and the inner one clears it: in `EXPOSE 80/${PROTO:-tcp}` the `80/` is lost and the result
   * is `tcp`. We reproduce that so that words come out as BuildKit's do.
   */
  discardPending(): void {
    this.pending = '';
  }

  finish(): string[] {
    if (this.pending !== '') this.words.push(this.pending);
    this.pending = '';
    return this.words;
  }

  private endWordAtSpace(): void {
    if (this.pending === '') return;
    this.words.push(this.pending);
    this.pending = '';
  }
}
