// The ordered name/value pairs of ENV and LABEL. The lexer hands them over as (key, value,
// delimiter) triples; quotes stay in place until the pair is expanded.
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionError, requireAtLeastOneArgument } from './instruction-base.js';

export interface KeyValuePair {
  readonly key: string;
  readonly value: string;
  /** Written `KEY value` rather than `KEY=value` (BuildKit's LegacyKeyValueFormat warning). */
  readonly legacySyntax: boolean;
}

export function parseKeyValuePairs(node: SyntaxNode, keyword: 'ENV' | 'LABEL'): KeyValuePair[] {
  requireAtLeastOneArgument(node, keyword);
  // Text never produces a broken list; a hand-built node can.
  if (node.args.length % 3 !== 0) throw instructionError(node, `Bad input to ${keyword}, too many arguments`);
  const pairs: KeyValuePair[] = [];
  for (let index = 0; index < node.args.length; index += 3) {
    const key = node.args[index]!;
    if (key === '') throw instructionError(node, `${keyword} names can not be blank`);
    pairs.push({ key, value: node.args[index + 1]!, legacySyntax: node.args[index + 2] === '' });
  }
  return pairs;
}

export function expandKeyValuePairs(pairs: readonly KeyValuePair[], expander: Expander): KeyValuePair[] {
  return pairs.map((pair) => ({ ...pair, key: expander.word(pair.key), value: expander.word(pair.value) }));
}
