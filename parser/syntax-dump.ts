// BuildKit's S-expression dump of a parsed Dockerfile: the format of the parser fixtures'
// `result` files (conformance/parser/README.md). Strings are quoted the way Go's strconv.Quote
// quotes them, so the output can be compared byte for byte.
import type { SyntaxNode, SyntaxTree } from './syntax-tree.js';
import { endWithoutTrailingSpace, skipUnicodeSpace } from './unicode-space.js';

const NAMED_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x07, '\\a'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x0b, '\\v'],
]);

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function isPrintable(codePoint: number, char: string): boolean {
  if (codePoint >= 0x20 && codePoint < 0x7f) return true;
  return codePoint > 0x7f && PRINTABLE.test(char);
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

function escapeCodePoint(codePoint: number): string {
  const named = NAMED_ESCAPES.get(codePoint);
  if (named !== undefined) return named;
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${hex(codePoint, 2)}`;
  if (codePoint < 0x10000) return `\\u${hex(codePoint, 4)}`;
  return `\\U${hex(codePoint, 8)}`;
}

/** Go's strconv.Quote (also what `%q` prints for a string). */
export function goQuote(text: string): string {
  const parts: string[] = ['"'];
  for (const char of text) {
    let codePoint = char.codePointAt(0) ?? 0;
    // A lone surrogate cannot come from UTF-8 input; Go would hold U+FFFD in its place.
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = 0xfffd;
    if (codePoint === 0x22 || codePoint === 0x5c) parts.push('\\', char);
    else if (isPrintable(codePoint, String.fromCodePoint(codePoint))) parts.push(String.fromCodePoint(codePoint));
    else parts.push(escapeCodePoint(codePoint));
  }
  parts.push('"');
  return parts.join('');
}

/** Go's strings.TrimSpace, needed because BuildKit trims every node's dump. */
function trimDump(text: string): string {
  return text.slice(skipUnicodeSpace(text), Math.max(skipUnicodeSpace(text), endWithoutTrailingSpace(text)));
}

/** One node without its ONBUILD trigger: keyword, `[flags]`, quoted arguments. */
function dumpOwnParts(node: SyntaxNode): string {
  let text = node.keyword;
  if (node.flags.length > 0) text += ` [${node.flags.map(goQuote).join(' ')}]`;
  for (const arg of node.args) text += ` ${goQuote(arg)}`;
  return text;
}

/**
 * One instruction as BuildKit dumps it, without the outer parentheses. The ONBUILD chain is walked
 * innermost first, without recursion, so absurdly nested `ONBUILD ONBUILD ...` cannot overflow the stack.
 */
export function dumpSyntaxNode(node: SyntaxNode): string {
  const chain: SyntaxNode[] = [];
  for (let current: SyntaxNode | undefined = node; current; current = current.next) chain.push(current);
  let text = trimDump(dumpOwnParts(chain[chain.length - 1]!));
  for (let index = chain.length - 2; index >= 0; index--) {
    text = trimDump(`${dumpOwnParts(chain[index]!)} (${text})`);
  }
  return text;
}

/** The whole tree: one `(...)` line per instruction, no trailing newline (BuildKit's `Node.Dump`). */
export function dumpSyntaxTree(tree: SyntaxTree): string {
  return tree.nodes.map((node) => `(${dumpSyntaxNode(node)})`).join('\n');
}
