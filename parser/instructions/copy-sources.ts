// The sources and destination shared by COPY and ADD. A source word that is a heredoc marker
// (`<<EOF`) becomes inline content named after the marker; the destination cannot be one.
import { chompHeredocContent, parseHeredocMarker, type HeredocMarker } from '../heredoc-lexer.js';
import type { SyntaxNode } from '../syntax-tree.js';
import type { Expander } from './expander.js';
import { instructionError } from './instruction-base.js';

/** A file whose content is written inline (`COPY <<EOF /dest`). */
export interface HeredocSource {
  /** The marker name, used as the file name when the destination is a directory. */
  readonly path: string;
  /** The body; for `<<-` its leading tabs are already stripped. */
  readonly data: string;
  /** False when the marker was quoted: the body is then copied without expansion. */
  readonly expand: boolean;
}

export interface SourcesAndDest {
  /** Context paths, URLs or Git references, as written until expanded. */
  readonly sources: readonly string[];
  readonly heredocSources: readonly HeredocSource[];
  readonly dest: string;
}

/** A marker, or undefined for an ordinary word (a word with unbalanced quotes counts as ordinary). */
function markerOf(word: string): HeredocMarker | undefined {
  try {
    return parseHeredocMarker(word);
  } catch {
    return undefined;
  }
}

export function requireSourceAndDest(node: SyntaxNode, keyword: 'COPY' | 'ADD'): void {
  if (node.args.length < 2) {
    throw instructionError(node, `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
  }
}

export function parseSourcesAndDest(node: SyntaxNode, keyword: 'COPY' | 'ADD'): SourcesAndDest {
  const dest = node.args[node.args.length - 1]!;
  if (markerOf(dest)) throw instructionError(node, `${keyword} cannot accept a heredoc as a destination`);
  const bodies = new Map(node.heredocs.map((heredoc) => [heredoc.name, heredoc.content]));
  const sources: string[] = [];
  const heredocSources: HeredocSource[] = [];
  for (const word of node.args.slice(0, -1)) {
    const marker = markerOf(word);
    if (!marker) {
      sources.push(word);
      continue;
    }
    // A marker with no body (only possible in JSON form) is an empty file, as in BuildKit.
    const content = bodies.get(marker.name) ?? '';
    heredocSources.push({ path: marker.name, data: marker.chomp ? chompHeredocContent(content) : content, expand: marker.expand });
  }
  return { sources, heredocSources, dest };
}

/** Expands source paths and the destination; heredoc bodies only when their marker was unquoted. */
export function expandSourcesAndDest(value: SourcesAndDest, expander: Expander): SourcesAndDest {
  // BuildKit's order: paths, destination, then bodies (so errors and warnings come in that order).
  const sources = value.sources.map((source) => expander.word(source));
  const dest = expander.word(value.dest);
  const heredocSources = value.heredocSources.map((source) =>
    source.expand ? { ...source, data: expander.word(source.data, { heredocBody: true }) } : source,
  );
  return { sources, heredocSources, dest };
}
