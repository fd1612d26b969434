// The lint findings BuildKit reports while typing instructions (not while planning the build):
// MAINTAINER is deprecated, stage names should be lower case, `AS` should match `FROM`'s case.
import type { SyntaxNode } from '../syntax-tree.js';
import type { BuildWarning } from '../warnings.js';

function warning(node: SyntaxNode, rule: string, detail: string, url: string, message: string): BuildWarning {
  return { rule, level: 'warning', message, detail, url, range: node.range };
}

function maintainerWarnings(node: SyntaxNode): BuildWarning[] {
  const detail = 'The MAINTAINER instruction is deprecated, use a label instead to define an image author';
  const url = 'https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/';
  return [warning(node, 'MaintainerDeprecated', detail, url, 'Maintainer instruction is deprecated in favor of using label')];
}

/** Whether `AS` is written in the same case as `FROM` (no finding when `FROM` itself is mixed case). */
function asMatchesFromCase(from: string, as: string): boolean {
  if (from === from.toLowerCase()) return as === as.toLowerCase();
  if (from === from.toUpperCase()) return as === as.toUpperCase();
  return true;
}

function fromWarnings(node: SyntaxNode): BuildWarning[] {
  if (node.args.length !== 3) return [];
  const [, as, name] = node.args as [string, string, string];
  const found: BuildWarning[] = [];
  if (name !== name.toLowerCase()) {
    const url = 'https://docs.docker.com/go/dockerfile/rule/stage-name-casing/';
    found.push(warning(node, 'StageNameCasing', 'Stage names should be lowercase', url, `Stage name '${name}' should be lowercase`));
  }
  if (!asMatchesFromCase(node.keywordAsWritten, as)) {
    const detail = "The 'as' keyword should match the case of the 'from' keyword";
    const url = 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/';
    const message = `'${as}' and '${node.keywordAsWritten}' keywords' casing do not match`;
    found.push(warning(node, 'FromAsCasing', detail, url, message));
  }
  return found;
}

/** The findings for one top-level instruction (ONBUILD triggers are checked in the child build). */
export function parseWarnings(node: SyntaxNode): BuildWarning[] {
  if (node.keyword === 'maintainer') return maintainerWarnings(node);
  if (node.keyword === 'from') return fromWarnings(node);
  return [];
}
